// Load (docs/reliability.md §7): the real web server (server.ts --dev) and two worker processes on a
// throw-away database and Redis prefix. 500 test-plugin jobs (one step, no wait) are submitted over HTTP
// with an API key while 50 `jobs.onUpdate` SSE subscriptions stay open, each following the oldest job
// not yet watched; all must succeed. Reports submit→start and submit→done (the client's send time to
// the rows' startedAt/finishedAt), event delivery (finishedAt → the subscriber's final event), the
// processes' RSS after a warm-up, at peak and after the load, and, side by side in one interleaved loop with the workers stopped, `jobs.create`
// through tRPC's in-process caller (validation, row insert, BullMQ add, event) against a raw BullMQ
// add of the same payload on a queue no worker reads and against a bare row insert + add, with
// `jobs.create` over HTTP for reference.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createApiServices, createCaller, createContextInner, resolveCaller } from '@visage/api';
import { createVisageClient } from '@visage/api/client';
import { createDb } from '@visage/db';
import { createTestDatabase, deleteRedisKeys, testRedisPrefix } from '@visage/db/testing';
import { Redis } from 'ioredis';
import { signUp, trpcWith } from '../test/support/http.ts';
import {
  type NextServer,
  redisUrl,
  startNext,
  startWorkerProcess,
  stopNext,
  type WorkerProcess,
  warmRoutes,
} from '../test/support/processes-core.ts';

/** The shape of packages/inference/bench/types.ts's BenchResult (the web app may not import inference). */
interface BenchResult {
  name: string;
  metrics: Record<string, number>;
  summary: string;
  goals?: { metric: string; label: string; max?: number; min?: number }[];
  key?: string[];
}

const JOBS = 500;
const WARMUP_JOBS = 30;
const SUBSCRIBERS = 50;
/** Creates in flight at once while submitting (the client batches those issued together). */
const SUBMIT_CONCURRENCY = 10;
const OVERHEAD_N = 200;
const OVERHEAD_WARMUP = 20;
/** Every how many iterations the HTTP create runs (a reference figure, 20× slower). */
const HTTP_EVERY = 4;
const RSS_GROWTH_LIMIT_MB = 100;
const CREATE_OVER_ADD_GOAL = 1.5;
const INPUT = { steps: 1, stepMs: 0 };
const AUTH_SECRET = 'bench-load-secret-0123456789-0123456789';
const execFileAsync = promisify(execFile);

/** Polls `probe` until it returns a value, or throws `describe()` after `timeoutMs`. */
async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  describe: () => string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s: ${describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const median = (values: number[]) => percentile(values, 50);

/** Resident memory in MB of each process group (ps works on Linux and macOS). */
async function rssOfGroups(): Promise<Map<number, number>> {
  const { stdout } = await execFileAsync('ps', ['-A', '-o', 'pgid=,rss=']);
  const groups = new Map<number, number>();
  for (const line of stdout.trim().split('\n')) {
    const [pgid, kb] = line.trim().split(/\s+/).map(Number);
    if (pgid !== undefined && kb !== undefined) groups.set(pgid, (groups.get(pgid) ?? 0) + kb / 1024);
  }
  return groups;
}

/** RSS (MB) of the web server's process group (next may start helpers) and of each worker. */
async function rss(web: NextServer, workers: WorkerProcess[]) {
  const groups = await rssOfGroups();
  const { stdout } = await execFileAsync('ps', [
    '-o',
    'rss=',
    '-p',
    workers.map((w) => w.child.pid).join(','),
  ]);
  return {
    web: groups.get(web.child.pid ?? -1) ?? Number.NaN,
    workers: stdout
      .trim()
      .split(/\s+/)
      .map((kb) => Number(kb) / 1024),
  };
}

type Trpc = ReturnType<typeof createVisageClient>['trpc'];

/** Open subscriptions, so a failed run can close them (EventSource would otherwise keep reconnecting). */
const open = new Set<{ unsubscribe(): void }>();

/** Follows one job's updates until it ends; resolves with the time the final event arrived. */
function follow(trpc: Trpc, id: string): Promise<{ doneAt: number; live: boolean }> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const subscription = trpc.jobs.onUpdate.subscribe(
      { id },
      {
        onData: ({ data }) => {
          seen.push(data.status);
          if (!['succeeded', 'failed', 'cancelled'].includes(data.status)) return;
          // Settled before unsubscribing, which calls onComplete at once.
          if (data.status !== 'succeeded') reject(new Error(`job ${id} ${data.status}: ${data.error}`));
          // live: the subscription saw the job before it ended, so its final event was pushed.
          else resolve({ doneAt: Date.now(), live: seen.length > 1 });
          subscription.unsubscribe();
          open.delete(subscription);
        },
        onError: (error) => {
          open.delete(subscription);
          reject(error);
        },
        onComplete: () => {
          open.delete(subscription);
          reject(
            new Error(
              `the subscription to job ${id} ended before the job did (saw ${seen.join(', ') || 'nothing'})`,
            ),
          );
        },
      },
    );
    open.add(subscription);
  });
}

/**
 * Submits `count` jobs (SUBMIT_CONCURRENCY at a time) while SUBSCRIBERS subscriptions follow them, each
 * taking the oldest job nobody has watched yet when its last one ends. Resolves with the delivery times.
 */
async function load(trpc: Trpc, count: number) {
  const created: Promise<string>[] = [];
  /** When the client sent each create (the row's createdAt is later: HTTP, auth and the insert). */
  const submittedAt: number[] = [];
  let next = 0;
  const submit = async () => {
    while (next < count) {
      const i = next++;
      submittedAt[i] = Date.now();
      const job = trpc.jobs.create.mutate({ plugin: 'test', input: INPUT }).then((j) => j.id);
      created[i] = job;
      await job;
    }
  };
  const submitters = Array.from({ length: SUBMIT_CONCURRENCY }, submit);
  const delivered = new Map<string, { doneAt: number; live: boolean }>();
  let watched = 0;
  const subscribe = async () => {
    // Waits for the submitters to reach the next job rather than ending early.
    while (watched < count) {
      const i = watched++;
      const id = await until(
        () => created[i],
        120_000,
        () => `job ${i} was never submitted`,
      );
      delivered.set(id, await follow(trpc, id)); // `until` awaited the create: id is the job's id
    }
  };
  await Promise.all([...submitters, ...Array.from({ length: SUBSCRIBERS }, subscribe)]);
  const ids = await Promise.all(created);
  return { ids, submittedAt: new Map(ids.map((id, i) => [id, submittedAt[i] ?? Number.NaN])), delivered };
}

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-bench-load-'));
  const database = await createTestDatabase({ label: 'bench-load' });
  const prefix = testRedisPrefix();
  const idlePrefix = testRedisPrefix(); // queues no worker reads, for the create-vs-add comparison
  const db = createDb({ url: database.url, applicationName: 'visage-bench-load' });
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    VISAGE_MEDIA_DIR: path.join(dir, 'media'),
    VISAGE_MODELS_DIR: path.join(dir, 'models'),
    VISAGE_ENABLE_TEST_PLUGIN: '1',
    VISAGE_LIVE_PORT: '0',
    BETTER_AUTH_SECRET: AUTH_SECRET,
  };
  let web: NextServer | undefined;
  const workers: WorkerProcess[] = [];
  let services: Awaited<ReturnType<typeof createApiServices>> | undefined;
  try {
    web = await startNext(env);
    const server = web;
    for (const id of ['load-1', 'load-2']) workers.push(startWorkerProcess({ ...env, VISAGE_WORKER_ID: id }));
    const logsOf = () =>
      workers.map((w) => `${w.logs.map((l) => JSON.stringify(l)).join('\n')}\n${w.stderr.join('')}`);
    await until(
      () => (server.output.join('').includes('Ready in') ? true : undefined),
      120_000,
      () => `the web server never became ready:\n${server.output.join('')}`,
    );
    await warmRoutes(server);
    await until(
      () => (workers.every((w) => w.logs.some((l) => l.msg === 'worker ready')) ? true : undefined),
      120_000,
      () => `a worker never became ready:\n${logsOf().join('\n')}`,
    );

    const owner = await signUp(server.base, 'load@example.com');
    const key = await trpcWith(server.base, { cookie: owner.cookie }).apiKeys.create.mutate({ name: 'load' });
    const { trpc } = createVisageClient({ url: server.base, apiKey: key.key });

    // Warm-up: compiles the routes and fills the processes' caches before the first RSS reading.
    await load(trpc, WARMUP_JOBS);
    const before = await rss(server, workers);

    const started = Date.now();
    // The highest RSS seen while the load runs, sampled every 2 s.
    let peak = before;
    const sampler = setInterval(() => {
      rss(server, workers).then(
        (now) => {
          peak = {
            web: Math.max(peak.web, now.web),
            workers: peak.workers.map((mb, i) => Math.max(mb, now.workers[i] ?? 0)),
          };
        },
        (error: unknown) => console.error('load bench: reading RSS failed', error),
      );
    }, 2_000);
    const { ids, submittedAt, delivered } = await load(trpc, JOBS).finally(() => clearInterval(sampler));
    const wallS = (Date.now() - started) / 1000;
    const rows = await db.job.findMany({ where: { id: { in: ids } } });
    const succeeded = rows.filter((r) => r.status === 'succeeded');
    if (succeeded.length !== JOBS) {
      const counts = new Map<string, number>();
      for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      throw new Error(
        `${succeeded.length} of ${JOBS} jobs succeeded (${[...counts].map((c) => c.join(' ')).join(', ')})`,
      );
    }
    const after = await rss(server, workers);
    const since = (from: number, to: Date | null) => (to ? to.getTime() - from : Number.NaN);
    const sent = (id: string) => submittedAt.get(id) ?? Number.NaN;
    const toStart = succeeded.map((r) => since(sent(r.id), r.startedAt));
    const toDone = succeeded.map((r) => since(sent(r.id), r.finishedAt));
    const queued = succeeded.map((r) => since(r.createdAt.getTime(), r.startedAt));
    const idSet = new Set(ids);
    const perWorker = workers.map(
      (w) => w.logs.filter((l) => l.msg === 'job succeeded' && idSet.has(String(l.jobId))).length,
    );
    const live = succeeded.filter((r) => delivered.get(r.id)?.live);
    const delivery = live.map(
      (r) => (delivered.get(r.id)?.doneAt ?? Number.NaN) - (r.finishedAt?.getTime() ?? 0),
    );

    // Side by side, with the workers stopped so neither side competes with job processing.
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exit));
    services = await createApiServices({
      databaseUrl: database.url,
      redisUrl,
      redisPrefix: idlePrefix,
      authSecret: AUTH_SECRET,
      baseURL: server.base,
      rateLimit: false,
      mediaDir: env.VISAGE_MEDIA_DIR,
      plugins: ['test'],
      connectionName: 'visage-bench-load',
      onError: (error, context) => console.error(`bench services: ${context}`, error),
    });
    const api = services;
    const caller = await resolveCaller(api, new Headers({ authorization: `Bearer ${key.key}` }));
    if (!caller) throw new Error('the API key did not resolve to a caller');
    const inProcess = createCaller(createContextInner(api, caller));
    const times = {
      create: [] as number[],
      add: [] as number[],
      floor: [] as number[],
      http: [] as number[],
    };
    const steps: [keyof typeof times, () => Promise<unknown>][] = [
      ['create', () => inProcess.jobs.create({ plugin: 'test', input: INPUT })],
      // queues.enqueue is BullMQ's Queue.add with the payload and options every job gets.
      ['add', () => api.queues.enqueue('test', randomUUID())],
      // The least any job system with rows does: insert the row (Prisma, as Visage does), then add.
      [
        'floor',
        async () => {
          const row = await api.db.job.create({
            data: { ownerId: caller.userId, organizationId: null, plugin: 'test', input: INPUT },
          });
          await api.queues.enqueue('test', row.id);
        },
      ],
      ['http', () => trpc.jobs.create.mutate({ plugin: 'test', input: INPUT })],
    ];
    for (let i = 0; i < OVERHEAD_WARMUP + OVERHEAD_N; i++) {
      // Rotate the order so no side always runs first (or right after the other).
      for (let s = 0; s < steps.length; s++) {
        const [name, step] = steps[(i + s) % steps.length] as (typeof steps)[number];
        if (name === 'http' && i % HTTP_EVERY !== 0) continue; // slow, and for reference only
        const t = performance.now();
        await step();
        if (i >= OVERHEAD_WARMUP) times[name].push(performance.now() - t);
      }
    }
    const createMs = median(times.create);
    const addMs = median(times.add);
    const floorMs = median(times.floor);
    const httpMs = median(times.http);

    const r1 = (v: number) => Math.round(v * 10) / 10;
    const r2 = (v: number) => Math.round(v * 100) / 100;
    const growth = after.workers.map((mb, i) => mb - (before.workers[i] ?? Number.NaN));
    const metrics: Record<string, number> = {
      jobs: JOBS,
      succeeded: succeeded.length,
      subscribers: SUBSCRIBERS,
      wall_s: r1(wallS),
      jobs_per_s: r1(JOBS / wallS),
      worker1_jobs: perWorker[0] ?? 0,
      worker2_jobs: perWorker[1] ?? 0,
      submit_to_start_p50_ms: Math.round(percentile(toStart, 50)),
      submit_to_start_p95_ms: Math.round(percentile(toStart, 95)),
      submit_to_done_p50_ms: Math.round(percentile(toDone, 50)),
      submit_to_done_p95_ms: Math.round(percentile(toDone, 95)),
      queue_wait_p50_ms: Math.round(percentile(queued, 50)),
      queue_wait_p95_ms: Math.round(percentile(queued, 95)),
      live_followed_jobs: live.length,
      event_delivery_p50_ms: Math.round(percentile(delivery, 50)),
      event_delivery_p95_ms: Math.round(percentile(delivery, 95)),
      web_rss_before_mb: Math.round(before.web),
      web_rss_after_mb: Math.round(after.web),
      web_rss_growth_mb: Math.round(after.web - before.web),
      web_rss_peak_mb: Math.round(peak.web),
      worker_rss_peak_mb: Math.round(Math.max(...peak.workers)),
      worker1_rss_before_mb: Math.round(before.workers[0] ?? Number.NaN),
      worker1_rss_after_mb: Math.round(after.workers[0] ?? Number.NaN),
      worker2_rss_before_mb: Math.round(before.workers[1] ?? Number.NaN),
      worker2_rss_after_mb: Math.round(after.workers[1] ?? Number.NaN),
      worker_rss_growth_max_mb: Math.round(Math.max(...growth)),
      create_in_process_ms: r2(createMs),
      raw_bullmq_add_ms: r2(addMs),
      create_http_ms: r2(httpMs),
      row_insert_plus_add_ms: r2(floorMs),
      create_over_add: r2(createMs / addMs),
      create_over_insert_plus_add: r2(createMs / floorMs),
      http_create_over_add: r2(httpMs / addMs),
    };
    return {
      name: 'load',
      metrics,
      goals: [
        { metric: 'succeeded', label: `jobs succeeded of ${JOBS}`, min: JOBS },
        { metric: 'web_rss_growth_mb', label: 'web RSS growth (MB)', max: RSS_GROWTH_LIMIT_MB },
        { metric: 'worker_rss_growth_max_mb', label: 'worker RSS growth (MB)', max: RSS_GROWTH_LIMIT_MB },
        { metric: 'create_over_add', label: 'jobs.create / raw add', max: CREATE_OVER_ADD_GOAL },
        {
          metric: 'create_over_insert_plus_add',
          label: 'jobs.create / (insert + add)',
          max: CREATE_OVER_ADD_GOAL,
        },
      ],
      key: [
        'jobs_per_s',
        'submit_to_start_p95_ms',
        'submit_to_done_p95_ms',
        'event_delivery_p95_ms',
        'http_create_over_add',
      ],
      summary:
        `${JOBS} jobs, 2 workers, ${SUBSCRIBERS} subscribers: all succeeded in ${r1(wallS)} s (${metrics.jobs_per_s} jobs/s, ${perWorker.join(' + ')} per worker); ` +
        `submit→start p50 ${metrics.submit_to_start_p50_ms} / p95 ${metrics.submit_to_start_p95_ms} ms, ` +
        `submit→done p50 ${metrics.submit_to_done_p50_ms} / p95 ${metrics.submit_to_done_p95_ms} ms; ` +
        `final event p50 ${metrics.event_delivery_p50_ms} / p95 ${metrics.event_delivery_p95_ms} ms after the row (${live.length} followed live); ` +
        `RSS web ${metrics.web_rss_before_mb}→${metrics.web_rss_after_mb} MB (peak ${metrics.web_rss_peak_mb}), workers ` +
        `${metrics.worker1_rss_before_mb}→${metrics.worker1_rss_after_mb} and ${metrics.worker2_rss_before_mb}→${metrics.worker2_rss_after_mb} MB (peak ${metrics.worker_rss_peak_mb}) ` +
        `(goal: growth ≤ ${RSS_GROWTH_LIMIT_MB} MB); jobs.create in-process ${r2(createMs)} ms vs raw BullMQ add ${r2(addMs)} ms ` +
        `(×${metrics.create_over_add}) and vs a row insert + add ${r2(floorMs)} ms (×${metrics.create_over_insert_plus_add}), ` +
        `goal ≤ ${CREATE_OVER_ADD_GOAL}, median of ${OVERHEAD_N}; over HTTP ${r2(httpMs)} ms (×${metrics.http_create_over_add} the add)`,
    };
  } finally {
    for (const subscription of open) subscription.unsubscribe();
    open.clear();
    await services?.close();
    for (const w of workers)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exit));
    await stopNext(web);
    await db.$disconnect();
    const redis = new Redis(redisUrl);
    for (const p of [prefix, idlePrefix]) await deleteRedisKeys(redis, p);
    await redis.quit();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
