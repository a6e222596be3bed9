// PostgreSQL unavailable (docs/reliability.md §5): the web app and a worker reach the database through a
// loopback proxy the test cuts while jobs run. The worker retries its job writes with back-off; the web
// app answers 503 with a plain message (never a stack trace or a 500); all is well again after.
import { createVisageClient } from '@visage/api/client';
import { DATABASE_UNAVAILABLE_MESSAGE } from '@visage/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Account, signUp, trpcWith } from './support/http.ts';
import {
  type NextServer,
  startNext,
  startWorkerProcess,
  stopNext,
  type WorkerProcess,
  waitForLog,
  waitUntilReady,
} from './support/processes.ts';
import { createTestEnv, killWorker, type TestEnv } from './support/stack.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';

let proxy: TcpProxy;
let testEnv: TestEnv;
let server: NextServer;
let worker: WorkerProcess;
let account: Account;
let apiKey: string;

type Answer = { status: number; body: Record<string, unknown>; text: string };

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(server.base + path, { headers, signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

const trpcGet = (procedure: string, input: unknown) =>
  `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

/** What a client may see of an outage: no stack frames, no Prisma call excerpts, no SQL. */
function expectNoInternals(answer: Answer) {
  expect(answer.text).not.toMatch(/\s+at .+:\d+:\d+|Invalid `|prisma|SELECT /i);
}

beforeAll(async () => {
  testEnv = await createTestEnv('faults-pg');
  const url = new URL(testEnv.env.DATABASE_URL as string);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.port = String(proxy.port);
  const env = { ...testEnv.env, DATABASE_URL: url.toString() };
  server = await startNext(env);
  worker = startWorkerProcess({ ...env, VISAGE_QUEUE_CONCURRENCY: '2' });
  await Promise.all([waitUntilReady(server), waitForLog(worker, 'worker ready', { timeoutMs: 60_000 })]);
  account = await signUp(server.base, 'pg-fault@example.com');
  apiKey = (await trpcWith(server.base, { cookie: account.cookie }).apiKeys.create.mutate({ name: 'pg' }))
    .key;
}, 240_000);

afterAll(async () => {
  await killWorker(worker);
  await stopNext(server);
  await proxy?.close();
  await testEnv?.drop();
});

describe('PostgreSQL unavailable for a few seconds', () => {
  it('should have the worker retry and every job end, and the web app answer 503 meanwhile', async () => {
    const client = createVisageClient({ url: server.base, apiKey });
    // 6 s each, two at a time: the cut comes while some run and others wait.
    const created = await Promise.all(
      Array.from({ length: 6 }, () =>
        client.trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 20, stepMs: 300 } }),
      ),
    );
    const ids = created.map((job) => job.id);
    const first = ids[0] as string;
    await vi.waitFor(
      async () => {
        const statuses = await Promise.all(
          ids.map(async (id) => (await client.trpc.jobs.get.query({ id })).status),
        );
        expect(statuses).toContain('running');
      },
      { timeout: 60_000, interval: 100 },
    );

    const logsBefore = worker.logs.length;
    proxy.cut();
    const cutAt = Date.now();
    const cookie = { cookie: account.cookie };
    const bearer = { authorization: `Bearer ${apiKey}` };
    const answers = await vi.waitFor(
      async () => {
        const [health, trpcCookie, trpcApiKey, media] = await Promise.all([
          get('/api/health'),
          get(trpcGet('jobs.get', { id: first }), cookie),
          get(trpcGet('jobs.list', {}), bearer),
          get(`/api/media/${first}`, cookie),
        ]);
        const all = { health, trpcCookie, trpcApiKey, media };
        for (const answer of Object.values(all)) expect(answer.status).toBe(503);
        return { ...all, at: Date.now() };
      },
      // Each answer can take several seconds on a loaded machine.
      { timeout: 60_000, interval: 200 },
    );
    // The worker hit the outage while writing a running job's progress, and is retrying.
    const retry = await waitForLog(worker, 'database unavailable; retrying the write', {
      from: logsBefore,
      timeoutMs: 30_000,
    });
    proxy.restore();
    const outageMs = Date.now() - cutAt;
    const answeredMs = answers.at - cutAt;

    expect(answers.health.body).toMatchObject({
      status: 'error',
      checks: { database: { ok: false }, redis: { ok: true } },
    });
    expect(answers.health.body.reason).toMatch(/^database: /);
    for (const name of ['trpcCookie', 'trpcApiKey'] as const) {
      // tRPC's error shape, under superjson's `json`.
      const error = (answers[name].body.error as { json: { message: string; data: Record<string, unknown> } })
        .json;
      expect(error.message).toBe(DATABASE_UNAVAILABLE_MESSAGE);
      expect(error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
      expect(error.data).not.toHaveProperty('stack');
      expectNoInternals(answers[name]);
    }
    expect(answers.media.body).toEqual({ error: DATABASE_UNAVAILABLE_MESSAGE, code: 'SERVICE_UNAVAILABLE' });
    expectNoInternals(answers.media);
    expect(retry).toMatchObject({
      method: expect.stringMatching(/^jobs\./),
      attempt: 1,
      reason: expect.any(String),
    });

    // Back: health and the same requests answer 200, and no job is left queued or running.
    await vi.waitFor(async () => expect((await get('/api/health')).status).toBe(200), {
      timeout: 60_000,
      interval: 200,
    });
    expect((await get(trpcGet('jobs.get', { id: first }), cookie)).status).toBe(200);
    expect((await get(trpcGet('jobs.list', {}), bearer)).status).toBe(200);
    const rows = await vi.waitFor(
      async () => {
        const all = await Promise.all(ids.map((id) => client.trpc.jobs.get.query({ id })));
        expect(all.filter((r) => r.status === 'queued' || r.status === 'running')).toEqual([]);
        return all;
      },
      { timeout: 90_000, interval: 250 },
    );
    // Each ended visibly: succeeded with its output, or failed with a reason.
    for (const row of rows) {
      if (row.status === 'succeeded') expect(row.assets.filter((a) => a.role === 'output')).toHaveLength(1);
      else expect(row).toMatchObject({ status: 'failed', error: expect.stringMatching(/\S/) });
    }
    expect(worker.child.exitCode).toBeNull();
    const retries = worker.logs
      .slice(logsBefore)
      .filter((l) => l.msg === 'database unavailable; retrying the write');
    const succeeded = rows.filter((r) => r.status === 'succeeded').length;
    console.info(
      `PostgreSQL cut for ${outageMs} ms (all four 503s seen after ${answeredMs} ms) during ${ids.length} jobs: ${retries.length} write retries by the worker; ` +
        `${succeeded} succeeded, ${rows.length - succeeded} failed; web answered 503 ` +
        `(health: "${answers.health.body.reason}"), 200 after`,
    );
  }, 240_000);
});
