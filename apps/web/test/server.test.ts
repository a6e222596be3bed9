// Runs the real Next.js server (next dev) against the real PostgreSQL and Redis.
import { createTestDatabase, type TestDatabase } from '@visage/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NextServer, redisUrl, startNext, stopNext, waitUntilReady } from './support/processes.ts';

describe('web server', () => {
  let database: TestDatabase;
  let server: NextServer;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'web' });
    server = await startNext({ DATABASE_URL: database.url, REDIS_URL: redisUrl });
    await waitUntilReady(server);
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

  it('should send a visitor without a session to sign-in, which shows the service status', async () => {
    const home = await fetch(server.base, { redirect: 'manual' });
    expect(home.status, server.output.join('')).toBe(307);
    expect(new URL(home.headers.get('location') ?? '', server.base).pathname).toBe('/sign-in');
    // Nobody has signed up yet: sign-in hands over to creating the admin account.
    const response = await fetch(`${server.base}/sign-in`);
    expect(response.status, server.output.join('')).toBe(200);
    expect(new URL(response.url).pathname).toBe('/sign-up');
    const html = await response.text();
    expect(html).toContain('<title>Sign up · Visage</title>');
    expect(html).toContain('Create the admin account');
    expect(html).toContain('aria-label="Service status"');
    expect(html).toMatch(/Database<span class="sr-only"> ok<\/span>/);
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
