import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from './sandbox.ts';

/** Workspace folders with a test script, named as vitest.shared.ts names their reports. */
function packagesWithTests(): string[] {
  const dirs = ['apps', 'packages'].flatMap((g) =>
    readdirSync(path.join(repoRoot, g)).map((n) => `${g}/${n}`),
  );
  return [...dirs, 'scripts']
    .filter((d) => JSON.parse(readFileSync(path.join(repoRoot, d, 'package.json'), 'utf8')).scripts?.test)
    .map((d) => d.replaceAll('/', '-'));
}

const report = (passed: number, failed: number, pending = 0) =>
  JSON.stringify({
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: pending,
    numTodoTests: 0,
  });

describe('test-summary.mjs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'visage-summary-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const summarize = () =>
    spawnSync('node', [path.join(repoRoot, 'scripts/test-summary.mjs'), dir], { encoding: 'utf8' });
  const lastLine = (out: string) => out.trim().split('\n').at(-1);

  it('should add up every package and exit 0 when all passed', () => {
    const names = packagesWithTests();
    for (const [i, name] of names.entries()) {
      writeFileSync(path.join(dir, `${name}.json`), report(i + 1, 0, i === 0 ? 2 : 0));
    }
    const total = names.reduce((sum, _, i) => sum + i + 1, 0);
    const result = summarize();
    expect(result.status).toBe(0);
    expect(lastLine(result.stdout)).toBe(`Tests: ${total} passed, 0 failed, 2 skipped`);
  });

  it('should exit 1 on a failed test', () => {
    for (const name of packagesWithTests()) writeFileSync(path.join(dir, `${name}.json`), report(3, 0));
    writeFileSync(path.join(dir, `${packagesWithTests()[0]}.json`), report(2, 1));
    const result = summarize();
    expect(result.status).toBe(1);
    expect(lastLine(result.stdout)).toMatch(/^Tests: \d+ passed, 1 failed, 0 skipped$/);
  });

  it('should count a package whose run left no report as failed', () => {
    const [first, ...rest] = packagesWithTests();
    for (const name of rest) writeFileSync(path.join(dir, `${name}.json`), report(1, 0));
    const result = summarize();
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${first}`);
    expect(result.stdout).toContain('no report: its test run did not finish');
    expect(lastLine(result.stdout)).toBe(`Tests: ${rest.length} passed, 1 failed, 0 skipped`);
  });
});
