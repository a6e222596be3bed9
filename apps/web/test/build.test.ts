// `next build` must succeed with no type errors (next.config.ts no longer ignores them), so the
// production build is checked on every test run, into its own folder so it never touches .next.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { webDir } from './support/processes.ts';

const distDir = `.next-build-test-${process.pid}`;

describe('next build', () => {
  afterAll(() => rm(path.join(webDir, distDir), { recursive: true, force: true }));

  it('should build the app for production, type check included', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      path.join(webDir, 'node_modules/.bin/next'),
      ['build'],
      {
        cwd: webDir,
        env: { ...process.env, NODE_ENV: 'production', NEXT_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: '1' },
        maxBuffer: 32 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`next build failed:\n${error.stdout ?? ''}\n${error.stderr ?? error.message}`);
    });
    const output = stdout + stderr;
    expect(output).toContain('Finished TypeScript');
    expect(output).toMatch(/Route \(app\)/);
  }, 300_000);
});
