// Prints the whole suite's result from the JSON reports each package's vitest run wrote
// (see vitest.shared.ts). The last line is "Tests: N passed, N failed, N skipped".
// Exits 1 when a test failed or a package that has tests wrote no report (it crashed).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'test-results';
const root = path.resolve(import.meta.dirname, '..');
const workspaceDirs = ['apps', 'packages'].flatMap((group) =>
  readdirSync(path.join(root, group)).map((name) => `${group}/${name}`),
);
workspaceDirs.push('scripts');
const expected = workspaceDirs
  .filter((dirName) => {
    const manifest = JSON.parse(readFileSync(path.join(root, dirName, 'package.json'), 'utf8'));
    return Boolean(manifest.scripts?.test);
  })
  .map((dirName) => dirName.replaceAll('/', '-'));

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const name of expected) {
  let report;
  try {
    report = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    missing.push(name);
    continue;
  }
  const skippedHere = report.numPendingTests + report.numTodoTests;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += skippedHere;
  console.log(
    `  ${name.padEnd(22)} ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skippedHere} skipped`,
  );
}
for (const name of missing) console.log(`  ${name.padEnd(22)} no report: its test run did not finish`);
console.log(`Tests: ${passed} passed, ${failed + missing.length} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
