// `pnpm bench [names]`: runs every `packages/*/bench/*.bench.ts` and `apps/*/bench/*.bench.ts` one after another (never in
// parallel: they compete for the same cores), prints a summary and writes bench/results/<time>.json
// at the repository root (and latest.json). Benchmarks, not tests: the numbers vary with the machine.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './types.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const resultsDir = path.join(root, 'bench/results');
const only = process.argv.slice(2);

const files: string[] = [];
const packages = [
  ...(await readdir(path.join(root, 'packages'))).sort().map((p) => path.join('packages', p)),
  ...(await readdir(path.join(root, 'apps'))).sort().map((p) => path.join('apps', p)),
];
for (const pkg of packages) {
  const dir = path.join(root, pkg, 'bench');
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[]; // a package without benchmarks
    throw error;
  });
  files.push(...names.filter((f) => f.endsWith('.bench.ts')).map((f) => path.join(dir, f)));
}
const unknown = only.filter((name) => !files.some((f) => path.basename(f) === `${name}.bench.ts`));
if (unknown.length) throw new Error(`No benchmark named ${unknown.join(', ')}`);
const results: BenchResult[] = [];
for (const file of files) {
  const name = path.basename(file).replace('.bench.ts', '');
  if (only.length && !only.includes(name)) continue;
  const { run } = (await import(file)) as { run: () => Promise<BenchResult> };
  process.stdout.write(`${name}… `);
  const result = await run();
  results.push(result);
  console.log(result.summary);
}

const report = {
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.arch()}`,
    node: process.version,
  },
  results,
};
await mkdir(resultsDir, { recursive: true });
const stamp = report.date.replace(/[:.]/g, '-');
await writeFile(path.join(resultsDir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(path.join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`results: bench/results/${stamp}.json`);
