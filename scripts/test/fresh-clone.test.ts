// A user's clone has nothing beside it. These tests keep the repository self-contained: no tracked
// file points outside it, and a fast subset of the suite (fixtures, image decoding, BlazeFace on the
// real photo) passes in a clone of HEAD made in an empty temporary folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './sandbox.ts';

/** Paths into the reading material that sits beside the developers' checkout, never a user's. */
const OUTSIDE = String.raw`\.\./shared|shared/(reference|fixtures|DESIGN)`;

describe('the repository is self-contained', () => {
  it('should name no path outside itself in any tracked file', () => {
    const found = spawnSync('git', ['grep', '-nE', OUTSIDE], { cwd: repoRoot, encoding: 'utf8' });
    expect(found.status, found.stderr).toBe(1); // git grep: 1 = no match
    expect(found.stdout).toBe('');
  });

  describe('in a clone with no shared/ beside it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'visage-clone-'));
    const clone = path.join(dir, 'visage');
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const run = (cmd: string, args: string[], cwd = clone) => {
      const result = spawnSync(cmd, args, {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, CI: '1', ONNXRUNTIME_NODE_INSTALL: 'skip' },
        timeout: 240_000,
      });
      return { code: result.status, output: `${result.stdout}\n${result.stderr}` };
    };

    it(
      'should pass the fixture, image codec and BlazeFace tests',
      () => {
        execFileSync('git', ['clone', '--quiet', repoRoot, clone]);
        // Only what the subset needs, from pnpm's store (the outer install filled it): no network.
        const install = run('pnpm', [
          'install',
          '--offline',
          '--frozen-lockfile',
          '--reporter=silent',
          '--filter',
          '@visage/plugins...',
        ]);
        expect(install.code, install.output).toBe(0);

        const inference = run(
          'pnpm',
          ['exec', 'vitest', 'run', 'test/fixtures.test.ts', 'test/image-codec.test.ts'],
          path.join(clone, 'packages/inference'),
        );
        expect(inference.code, inference.output).toBe(0);
        expect(inference.output).toMatch(/Tests +\d+ passed/);
        expect(inference.output).not.toMatch(/skipped|failed/);

        const plugins = run(
          'pnpm',
          ['exec', 'vitest', 'run', 'test/blazeface.test.ts'],
          path.join(clone, 'packages/plugins'),
        );
        expect(plugins.code, plugins.output).toBe(0);
        expect(plugins.output).toMatch(/Tests +\d+ passed/);
        expect(plugins.output).not.toMatch(/skipped|failed/);
      },
      300_000,
    );
  });
});
