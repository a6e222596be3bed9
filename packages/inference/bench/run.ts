// `pnpm bench [names]`: runs every `packages/*/bench/*.bench.ts` and `apps/*/bench/*.bench.ts` one after another (never in
// parallel: they compete for the same cores), prints each one's summary, then one table of every benchmark
// (key figures, goals met or missed), and writes bench/results/<time>.json at the repository root (and
// latest.json). Benchmarks, not tests: the numbers vary with the machine, so a missed goal is reported,
// not fatal; a benchmark that throws is (the others still run, and the exit status is 1).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchGoal, BenchResult } from './types.ts';

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

interface CheckedGoal extends BenchGoal {
  value: number;
  met: boolean;
}
type Outcome =
  | (Omit<BenchResult, 'goals'> & { seconds: number; goals?: CheckedGoal[] })
  | { name: string; seconds: number; error: string };

const check = (goal: BenchGoal, metrics: Record<string, number>): CheckedGoal => {
  const value = metrics[goal.metric];
  if (value === undefined) throw new Error(`goal "${goal.label}" names no metric: ${goal.metric}`);
  const met = (goal.max === undefined || value <= goal.max) && (goal.min === undefined || value >= goal.min);
  return { ...goal, value, met };
};

const outcomes: Outcome[] = [];
for (const file of files) {
  const name = path.basename(file).replace('.bench.ts', '');
  if (only.length && !only.includes(name)) continue;
  process.stdout.write(`${name}… `);
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 100) / 10;
  try {
    const { run } = (await import(file)) as { run: () => Promise<BenchResult> };
    const result = await run();
    outcomes.push({
      ...result,
      seconds: seconds(),
      goals: result.goals?.map((g) => check(g, result.metrics)),
    });
    console.log(result.summary);
  } catch (error) {
    console.log('FAILED');
    console.error(error);
    outcomes.push({
      name,
      seconds: seconds(),
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/** Three significant figures or so: 1234 → "1234", 12.345 → "12.3", 0.01234 → "0.0123". */
function figure(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 100 || Number.isInteger(value)) return String(Math.round(value));
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

const goalText = (g: BenchGoal) =>
  [g.min !== undefined ? `≥ ${g.min}` : '', g.max !== undefined ? `≤ ${g.max}` : '']
    .filter(Boolean)
    .join(', ');

const rows: string[][] = [['benchmark', 'figure', 'value', 'goal', 'result', 's']];
for (const o of outcomes) {
  if ('error' in o) {
    rows.push([o.name, 'error', o.error.split('\n')[0]?.slice(0, 70) ?? '', '', 'ERROR', String(o.seconds)]);
    continue;
  }
  const shown = new Set(o.goals?.map((g) => g.metric));
  const first = rows.length;
  for (const g of o.goals ?? [])
    rows.push([o.name, g.label, figure(g.value), goalText(g), g.met ? 'met' : 'MISSED', '']);
  const key = o.key ?? Object.keys(o.metrics).slice(0, 3);
  for (const metric of key.filter((k) => !shown.has(k))) {
    const value = o.metrics[metric];
    rows.push([o.name, metric, value === undefined ? '(none)' : figure(value), '', '', '']);
  }
  if (rows[first]) rows[first][5] = String(o.seconds);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
const line = (r: string[]) =>
  r
    .map((cell, i) => (i === 2 || i === 5 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
    .join('  ')
    .trimEnd();
console.log(`\n${line(rows[0] ?? [])}\n${widths.map((w) => '─'.repeat(w)).join('  ')}`);
let previous = '';
for (const r of rows.slice(1)) {
  console.log(line([r[0] === previous ? '' : (r[0] ?? ''), ...r.slice(1)]));
  previous = r[0] ?? '';
}
const goals = outcomes.flatMap((o) => ('goals' in o ? (o.goals ?? []) : []));
const errors = outcomes.filter((o) => 'error' in o);
console.log(
  `${outcomes.length} benchmarks, ${errors.length} failed; goals: ${goals.filter((g) => g.met).length} met, ` +
    `${goals.filter((g) => !g.met).length} missed`,
);

const report = {
  date: new Date().toISOString(),
  machine: {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.arch()}`,
    node: process.version,
  },
  results: outcomes,
};
await mkdir(resultsDir, { recursive: true });
const stamp = report.date.replace(/[:.]/g, '-');
await writeFile(path.join(resultsDir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
await writeFile(path.join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`results: bench/results/${stamp}.json`);
// Exit explicitly: a benchmark that failed midway may leave sockets or timers that would keep Node up.
process.exit(errors.length ? 1 : 0);
