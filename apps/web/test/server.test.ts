// Runs the real Next.js server (next dev) against the real PostgreSQL and Redis.
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

interface NextServer {
  child: ChildProcess;
  base: string;
  output: string[];
  distDir: string;
  exit: Promise<unknown[]>;
}

/** Starts `next dev` in its own build folder (so it never fights a running `npm run dev`). */
async function startNext(env: Record<string, string>): Promise<NextServer> {
  const port = await freePort();
  const distDir = `.next-test-${process.pid}-${port}`;
  const child = spawn(
    path.join(webDir, 'node_modules/.bin/next'),
    ['dev', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: webDir,
      env: {
        ...process.env,
        NODE_ENV: 'development' as const, // what next dev uses; vitest's "test" must not leak into it
        LOG_FORMAT: 'json',
        NEXT_TELEMETRY_DISABLED: '1',
        NEXT_DIST_DIR: distDir,
        ...env,
      },
      detached: true, // its own process group, so the whole tree can be stopped
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  return { child, base: `http://127.0.0.1:${port}`, output, distDir, exit: once(child, 'exit') };
}

async function waitForOutput(server: NextServer, text: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!server.output.join('').includes(text)) {
    if (Date.now() > deadline || server.child.exitCode !== null) {
      throw new Error(`next dev never printed "${text}":\n${server.output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopNext(server: NextServer | undefined): Promise<void> {
  if (!server) return;
  if (server.child.pid && server.child.exitCode === null) {
    process.kill(-server.child.pid, 'SIGTERM');
    await server.exit;
  }
  await rm(path.join(webDir, server.distDir), { recursive: true, force: true });
}

describe('web server', () => {
  let database: TestDatabase;
  let server: NextServer;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'web' });
    server = await startNext({ DATABASE_URL: database.url, REDIS_URL: redisUrl });
    await waitForOutput(server, 'Ready in');
  }, 90_000);

  afterAll(async () => {
    await stopNext(server);
    await database?.drop();
  });

  it('should answer /api/health with both stores ok', async () => {
    const response = await fetch(`${server.base}/api/health`);
    expect(response.status, server.output.join('')).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).toBe('ok');
    expect(body.checks.database?.ok).toBe(true);
    expect(body.checks.redis?.ok).toBe(true);
  }, 60_000);

  it('should serve the home page with the service status', async () => {
    const response = await fetch(server.base);
    expect(response.status, server.output.join('')).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>Visage</title>');
    expect(html).toContain('aria-label="Service status"');
    expect(html).toMatch(/Database<\/span><span class="ok">\d+ ms/);
  }, 60_000);
});

describe('web server with a bad configuration', () => {
  let server: NextServer | undefined;
  afterAll(() => stopNext(server));

  it('should stop at start-up with a message naming the variable', async () => {
    server = await startNext({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/visage',
      REDIS_URL: 'localhost:6379',
    });
    const [code] = await server.exit;
    expect(code).toBe(1);
    expect(server.output.join('')).toContain(
      'REDIS_URL: must be a redis:// or rediss:// URL (got "localhost:6379")',
    );
  }, 90_000);
});
