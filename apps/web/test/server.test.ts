// Runs the real Next.js server against the real PostgreSQL and Redis.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '@visage/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const webDir = path.resolve(import.meta.dirname, '..');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

describe('web server', () => {
  let database: TestDatabase;
  let server: ChildProcess;
  let base: string;
  const output: string[] = [];
  const distDir = `.next-test-${process.pid}`;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'web' });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      NODE_ENV: 'development' as const, // what next dev uses; vitest's "test" must not leak into it
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      LOG_FORMAT: 'json',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_DIST_DIR: distDir,
    };
    server = spawn(
      path.join(webDir, 'node_modules/.bin/next'),
      ['dev', '--hostname', '127.0.0.1', '--port', String(port)],
      {
        cwd: webDir,
        env,
        detached: true, // its own process group, so the whole tree can be stopped
      },
    );
    server.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
    server.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.join('').includes('Ready in')) {
      if (Date.now() > deadline || server.exitCode !== null)
        throw new Error(`next dev did not start:\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);

  afterAll(async () => {
    if (server?.pid && server.exitCode === null) {
      process.kill(-server.pid, 'SIGTERM');
      await once(server, 'exit');
    }
    await database?.drop();
    await rm(path.join(webDir, distDir), { recursive: true, force: true });
  });

  it('should answer /api/health with both stores ok', async () => {
    const response = await fetch(`${base}/api/health`);
    expect(response.status, output.join('')).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe('ok');
    expect(body.checks.database?.ok).toBe(true);
    expect(body.checks.redis?.ok).toBe(true);
  }, 60_000);

  it('should serve the home page with the service status', async () => {
    const response = await fetch(base);
    expect(response.status, output.join('')).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>Visage</title>');
    expect(html).toContain('aria-label="Service status"');
    expect(html).toMatch(/Database<\/span><span class="ok">\d+ ms/);
  }, 60_000);
});
