// `next build` must succeed with no type errors (next.config.ts no longer ignores them), so the
// production build is checked on every test run, into its own folder so it never touches .next.
// The web app runs no models (the workers own them, docs/architecture.md §7.4): nothing it ships
// may reach onnxruntime or @visage/inference.
import { execFile } from 'node:child_process';
import { readdir, readFile, rm } from 'node:fs/promises';
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

    // Bundled workspace code keeps its source path ("[project]/packages/…") in the server chunks, and
    // Next's file traces list every file a route needs at run time: neither may name the runtime.
    const serverDir = path.join(webDir, distDir, 'server');
    const files = (await readdir(serverDir, { recursive: true })).filter((f) => /\.(js|nft\.json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const reached: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(serverDir, file), 'utf8');
      const found = text.match(/packages\/inference\/|onnxruntime-node/);
      if (found) reached.push(`${file}: ${found[0]}`);
    }
    expect(reached).toEqual([]);
  }, 300_000);
});
