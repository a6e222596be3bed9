// A user's clone has nothing beside it. These tests keep the repository self-contained: no tracked
// file points outside it, and a fast subset of the suite (fixtures, image decoding, BlazeFace on the
// real photo) passes in a clone of HEAD made in an empty temporary folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './sandbox.ts';

/** Paths into the reading material that sits beside the developers' checkout, never a user's. */
const OUTSIDE = String.raw`\.\./shared|shared/(reference|fixtures|DESIGN)`;

/** Runs `args` in `cwd` (at most 4 minutes); fails the test with the output when it exits non-zero. */
function mustRun(cwd: string, args: string[]) {
  const result = spawnSync('pnpm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' },
    timeout: 240_000,
  });
  expect(result.status, `pnpm ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
}

/** Runs test files of one package of the clone; every test in them must pass, none be skipped. */
function expectAllPassed(clone: string, pkg: string, files: string[]) {
  mustRun(path.join(clone, pkg), ['exec', 'vitest', 'run', ...files]);
  // The JSON report the shared vitest config writes (vitest.shared.ts).
  const reportFile = path.join(clone, 'test-results', `${pkg.replace('/', '-')}.json`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  expect(report.numTotalTests).toBeGreaterThanOrEqual(files.length);
  expect({
    passed: report.numPassedTests,
    failed: report.numFailedTests,
    skipped: report.numPendingTests + report.numTodoTests,
  }).toEqual({ passed: report.numTotalTests, failed: 0, skipped: 0 });
}

describe('the repository is self-contained', () => {
  it('should name no path outside itself in any tracked file', () => {
    const found = spawnSync('git', ['grep', '-nE', OUTSIDE], { cwd: repoRoot, encoding: 'utf8' });
    expect(found.stdout).toBe('');
    expect(found.status, found.stderr).toBe(1); // git grep: 1 = no match
  });

  describe('in a clone with no shared/ beside it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-clone-'));
    const clone = path.join(dir, 'visage');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('should pass the fixture, image codec and BlazeFace tests', () => {
      execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
      // Only what the subset needs, from pnpm's store (the outer install filled it): no network.
      mustRun(clone, [
        'install',
        '--offline',
        '--frozen-lockfile',
        '--reporter=silent',
        '--filter',
        '@visage/plugins...',
      ]);
      expectAllPassed(clone, 'packages/inference', ['test/fixtures.test.ts', 'test/image-codec.test.ts']);
      expectAllPassed(clone, 'packages/plugins', ['test/blazeface.test.ts']);
    }, 600_000);
  });
});
