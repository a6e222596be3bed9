// `pnpm bench`: runs every benchmark in this folder one after another (never in parallel: they
// compete for the same cores), prints a summary and writes bench/results/<time>.json at the
// repository root (and latest.json). Benchmarks, not tests: the numbers vary with the machine.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './types.ts';

const here = import.meta.dirname;
const resultsDir = path.resolve(here, '../../../bench/results');
const only = process.argv.slice(2);

const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const results: BenchResult[] = [];
for (const file of files) {
  const name = file.replace('.bench.ts', '');
  if (only.length && !only.includes(name)) continue;
  const { run } = (await import(path.join(here, file))) as { run: () => Promise<BenchResult> };
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
