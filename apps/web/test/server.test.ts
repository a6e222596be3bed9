// Runs the real Next.js server (next dev) against the real PostgreSQL and Redis.
import { createTestDatabase, type TestDatabase } from '@visage/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NextServer, redisUrl, startNext, stopNext, waitForOutput } from './support/processes.ts';

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
