// Redis restart (docs/reliability.md §4): the web app and a worker run against a redis-server of the
// test's own (append-only file, fsync on every write), which is SIGKILLed while jobs wait in the queue
// and started again on the same port and data. Neither the web app nor the worker is restarted.
import { Redis } from 'ioredis';
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
import { createRedisServer, type RedisServer } from './support/redis-server.ts';
import { createTestEnv, killWorker, type TestEnv } from './support/stack.ts';

type Trpc = ReturnType<typeof trpcWith>;

let redisServer: RedisServer;
let testEnv: TestEnv;
let server: NextServer;
let worker: WorkerProcess;
let trpc: Trpc;

async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.base}/api/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Resolves with the last update once the job ends (succeeded, failed, cancelled). */
function watchUntilEnd(id: string): Promise<{ status: string; updates: number }> {
  let updates = 0;
  return new Promise((resolve, reject) => {
    const subscription = trpc.jobs.onUpdate.subscribe(
      { id },
      {
        onData: ({ data }) => {
          updates++;
          if (['succeeded', 'failed', 'cancelled'].includes(data.status)) {
            subscription.unsubscribe();
            resolve({ status: data.status, updates });
          }
        },
        onError: reject,
      },
    );
  });
}

beforeAll(async () => {
  redisServer = await createRedisServer();
  await redisServer.start();
  testEnv = await createTestEnv('faults-redis', { REDIS_URL: redisServer.url });
  server = await startNext(testEnv.env);
  // One job at a time, so most of the batch is still queued when Redis goes away.
  worker = startWorkerProcess({ ...testEnv.env, VISAGE_QUEUE_CONCURRENCY: '1' });
  await Promise.all([waitUntilReady(server), waitForLog(worker, 'worker ready', { timeoutMs: 60_000 })]);
  const account: Account = await signUp(server.base, 'redis-fault@example.com');
  trpc = trpcWith(server.base, { cookie: account.cookie });
}, 240_000);

afterAll(async () => {
  await killWorker(worker);
  await stopNext(server);
  await testEnv?.drop();
  await redisServer?.stop();
});

describe('a Redis restart', () => {
  it('should run the queued jobs, answer 503 meanwhile and recover without restarting web or worker', async () => {
    // 4 s each, one at a time: when Redis goes, one runs and the others wait in the queue.
    const created = await Promise.all(
      Array.from({ length: 5 }, () =>
        trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 10, stepMs: 400 } }),
      ),
    );
    const ids = created.map((job) => job.id);
    const statusesOf = () => Promise.all(ids.map(async (id) => (await trpc.jobs.get.query({ id })).status));
    // Opened before the outage: events published while the web app is still reconnecting are lost, so
    // these show its event hub re-subscribing and catching up from the rows.
    const watched = Promise.all(ids.map(watchUntilEnd));
    await vi.waitFor(async () => expect(await statusesOf()).toContain('running'), {
      timeout: 60_000,
      interval: 100,
    });

    const logsAtKill = worker.logs.length;
    await redisServer.kill();
    const killedAt = Date.now();
    const queuedAtKill = (await statusesOf()).filter((s) => s === 'queued').length;
    expect(queuedAtKill).toBeGreaterThanOrEqual(2);

    const down = await vi.waitFor(
      async () => {
        const answer = await health();
        expect(answer.status).toBe(503);
        // The first answers may name the dropped connection; then the refused reconnects.
        expect(answer.body.reason).toBe(`redis: connect ECONNREFUSED 127.0.0.1:${redisServer.port}`);
        return answer.body;
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(down).toMatchObject({ status: 'error', checks: { database: { ok: true }, redis: { ok: false } } });
    expect(down.workers).toBeNull();

    // The worker noticed too (its connection's reconnect attempts fail) before Redis comes back.
    await waitForLog(worker, 'redis connection error (reconnecting)', {
      from: logsAtKill,
      timeoutMs: 30_000,
    });
    await redisServer.start();
    const outageMs = Date.now() - killedAt;
    const up = await vi.waitFor(
      async () => {
        const answer = await health();
        expect(answer.status).toBe(200);
        return answer.body;
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(up).toMatchObject({ status: 'ok', checks: { redis: { ok: true } } });
    expect(up.reason).toBeUndefined();

    // Every job ran, once: the queue survived in the append-only file and the worker took it up again.
    const finished = await vi.waitFor(
      async () => {
        const rows = await Promise.all(ids.map((id) => trpc.jobs.get.query({ id })));
        expect(rows.map((r) => r.status)).toEqual(ids.map(() => 'succeeded'));
        return rows;
      },
      { timeout: 90_000, interval: 250 },
    );
    expect(finished.map((r) => r.attempts)).toEqual(ids.map(() => 1));
    expect((await watched).map((w) => w.status)).toEqual(ids.map(() => 'succeeded'));

    // The same processes, reconnected: the worker's heartbeat writes its presence key again, and a new
    // job goes through the web app's queue connection and comes back over its event subscription.
    expect(worker.child.exitCode).toBeNull();
    expect(server.child.exitCode).toBeNull();
    const direct = new Redis(redisServer.url);
    try {
      const presence = `${testEnv.env.REDIS_PREFIX}:workers:*`;
      const [key] = await direct.keys(presence);
      expect(key).toBeDefined();
      await direct.del(key as string);
      await vi.waitFor(async () => expect(await direct.exists(key as string)).toBe(1), {
        timeout: 30_000,
        interval: 250,
      });
    } finally {
      direct.disconnect();
    }
    const after = await trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 2, stepMs: 50 } });
    await expect(watchUntilEnd(after.id)).resolves.toMatchObject({ status: 'succeeded' });

    console.info(
      `Redis restart: ${ids.length} jobs, ${queuedAtKill} queued at the kill, Redis away ${outageMs} ms, ` +
        `all succeeded with 1 attempt each; health 503 "${down.reason}" meanwhile, 200 after`,
    );
  }, 240_000);
});
