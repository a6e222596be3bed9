// processJob against real PostgreSQL and Redis, with a plugin the test steers: every way a run ends
// is recorded through the job repository with one event per change, a cancel that went by before
// the worker listened still stops the job, and a run that ends after its row did records nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '@visage/db';
import {
  createJobRepository,
  INTERRUPTED_STAGE,
  type JobRepository,
  type PluginJobData,
  publishCancel,
} from '@visage/db/jobs';
import { MediaStore } from '@visage/db/media';
import {
  createTestDatabase,
  deleteRedisKeys,
  type JobEventRecorder,
  recordJobEvents,
  type TestDatabase,
  testRedisPrefix,
} from '@visage/db/testing';
import type { ModelManager } from '@visage/inference';
import type { Plugin, RunContext } from '@visage/plugins';
import { DelayedError, type Job as QueueJob } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type Cancellation, listenForCancels, WorkerShutdown } from '../src/jobs/cancellation.ts';
import { type ProcessorDeps, processJob } from '../src/jobs/processor.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A plugin whose run is the test's to write. */
function steeredPlugin(run: (ctx: RunContext) => Promise<void>): Plugin {
  return {
    id: 'test',
    title: 'Steered',
    description: 'Runs what the test says',
    input: z.object({}),
    assetFields: [],
    models: () => [],
    run: (ctx) => run(ctx),
  };
}

/** Resolves once the plugin's signal is aborted (how plugins notice a cancel between steps). */
const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((_, reject) => {
    signal.throwIfAborted();
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

describe(processJob.name, () => {
  let database: TestDatabase;
  let db: Db;
  let redis: Redis;
  let cancellation: Cancellation;
  let jobs: JobRepository;
  let deps: ProcessorDeps;
  let mediaDir: string;
  let ownerId: string;
  const prefix = testRedisPrefix();

  let recorder: JobEventRecorder;
  /** Status and stage of each event since the last call. */
  const eventsSoFar = async () => (await recorder.next()).map(({ status, stage }) => ({ status, stage }));

  /** A new queued job, its creation event already read. */
  async function queued() {
    const job = await jobs.create(
      { ownerId, organizationId: null, plugin: 'test', input: {}, inputs: [] },
      () => Promise.resolve(),
    );
    await eventsSoFar();
    return job;
  }
  /** The BullMQ side of a job, as far as the processor uses it. */
  const queueJob = (jobId: string) => ({
    data: { jobId },
    updateProgress: vi.fn(() => Promise.resolve()),
    moveToDelayed: vi.fn(() => Promise.resolve()),
  });
  const asQueueJob = (job: ReturnType<typeof queueJob>) => job as unknown as QueueJob<PluginJobData>;
  const row = (id: string) => db.job.findUniqueOrThrow({ where: { id } });

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'processor' });
    db = createDb({ url: database.url, applicationName: 'visage-processor-test' });
    redis = new Redis(redisUrl);
    recorder = await recordJobEvents(redisUrl, redis, prefix);
    cancellation = await listenForCancels(new Redis(redisUrl), prefix);
    jobs = createJobRepository({ db, redis, redisPrefix: prefix });
    mediaDir = await mkdtemp(path.join(os.tmpdir(), 'visage-processor-media-'));
    deps = {
      db,
      jobs,
      media: new MediaStore(mediaDir),
      log: pino({ level: 'silent' }),
      cancellation,
      device: {
        device: 'cpu',
        providers: ['cpu'],
        precision: 'fp32',
        budgetBytes: 2 ** 30,
        budgetReason: 'test',
        gpuIndex: null,
      },
      models: {} as ModelManager, // the steered plugin loads no model
      modelStore: { missingModels: () => null },
    };
    ownerId = (await db.user.create({ data: { id: 'owner', name: 'Ada', email: 'ada@example.com' } })).id;
  });
  beforeEach(async () => {
    await eventsSoFar();
  });
  afterAll(async () => {
    await cancellation.close();
    await recorder.close();
    await deleteRedisKeys(redis, prefix);
    await redis.quit();
    await db.$disconnect();
    await database.drop();
    await rm(mediaDir, { recursive: true, force: true });
  });

  it('should claim the job, run it, and record its success and progress, one event per change', async () => {
    const job = await queued();
    const plugin = steeredPlugin(async (ctx) => {
      ctx.progress(0.5, 'half way');
      ctx.record({ faces: 2 });
    });
    expect(await processJob(deps, plugin, asQueueJob(queueJob(job.id)), 'token')).toBe('succeeded');
    expect(await row(job.id)).toMatchObject({
      status: 'succeeded',
      progress: 1,
      attempts: 1,
      device: 'cpu',
      metadata: { faces: 2 },
      timings: { runMs: expect.any(Number), waitedMs: expect.any(Number) },
    });
    expect(await eventsSoFar()).toEqual([
      { status: 'running', stage: 'starting' },
      { status: 'running', stage: 'half way' },
      { status: 'succeeded', stage: 'done' },
    ]);
  });

  it('should cancel, without running it, a job whose cancel message went by before the worker listened', async () => {
    const job = await queued();
    // The owner cancels after BullMQ handed the job over: the row notes it, the message reaches no one.
    await jobs.requestCancel(job.id);
    await publishCancel(redis, prefix, job.id);
    await eventsSoFar();
    const run = vi.fn(() => Promise.resolve());
    expect(await processJob(deps, steeredPlugin(run), asQueueJob(queueJob(job.id)), 'token')).toBe(
      'cancelled',
    );
    expect(run).not.toHaveBeenCalled();
    expect((await row(job.id)).status).toBe('cancelled');
    expect(await eventsSoFar()).toEqual([
      { status: 'running', stage: 'starting' },
      { status: 'cancelled', stage: 'cancelled' },
    ]);
  });

  it("should stop a running job when its owner's cancel arrives", async () => {
    const job = await queued();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const plugin = steeredPlugin(async (ctx) => {
      started();
      await untilAborted(ctx.signal);
    });
    const outcome = processJob(deps, plugin, asQueueJob(queueJob(job.id)), 'token');
    await running;
    await jobs.requestCancel(job.id);
    await publishCancel(redis, prefix, job.id);
    expect(await outcome).toBe('cancelled');
    expect((await eventsSoFar()).map((e) => e.status)).toEqual(['running', 'running', 'cancelled']);
  });

  it('should record a plugin error as failed and rethrow it for BullMQ', async () => {
    const job = await queued();
    const plugin = steeredPlugin(() => Promise.reject(new Error('no face in "me.png"')));
    await expect(processJob(deps, plugin, asQueueJob(queueJob(job.id)), 'token')).rejects.toThrow(
      'no face in "me.png"',
    );
    expect(await row(job.id)).toMatchObject({
      status: 'failed',
      error: 'no face in "me.png"',
      errorStack: expect.stringContaining('Error: no face'),
    });
    expect((await eventsSoFar()).map((e) => e.status)).toEqual(['running', 'failed']);
  });

  it('should put a job interrupted by a shutdown back on the queue', async () => {
    const job = await queued();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const plugin = steeredPlugin(async (ctx) => {
      started();
      await untilAborted(ctx.signal);
    });
    const bullJob = queueJob(job.id);
    const outcome = processJob(deps, plugin, asQueueJob(bullJob), 'token');
    await running;
    cancellation.abortAll(new WorkerShutdown());
    await expect(outcome).rejects.toBeInstanceOf(DelayedError);
    expect(bullJob.moveToDelayed).toHaveBeenCalledWith(expect.any(Number), 'token');
    expect(await row(job.id)).toMatchObject({ status: 'queued', stage: INTERRUPTED_STAGE, attempts: 1 });
    expect(await eventsSoFar()).toEqual([
      { status: 'running', stage: 'starting' },
      { status: 'queued', stage: INTERRUPTED_STAGE },
    ]);
  });

  it('should record nothing for a run that ends after its row ended elsewhere', async () => {
    const job = await queued();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    let finish!: () => void;
    const plugin = steeredPlugin(async (ctx) => {
      started();
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      ctx.progress(0.9, 'almost');
    });
    const outcome = processJob(deps, plugin, asQueueJob(queueJob(job.id)), 'token');
    await running;
    // BullMQ gave up on it (stalled twice) while this worker still ran it.
    await jobs.failFromQueue(job.id, 'job stalled more than allowable limit');
    finish();
    expect(await outcome).toBe('superseded');
    expect(await row(job.id)).toMatchObject({
      status: 'failed',
      error: 'job stalled more than allowable limit',
    });
    expect((await eventsSoFar()).map((e) => e.status)).toEqual(['running', 'failed']);
  });

  it('should skip a job cancelled before it started, and one deleted', async () => {
    const cancelled = await queued();
    await jobs.cancel(cancelled.id, { stage: 'cancelled before it started' });
    const deleted = await queued();
    await db.job.delete({ where: { id: deleted.id } });
    await eventsSoFar();
    const run = vi.fn(() => Promise.resolve());
    for (const id of [cancelled.id, deleted.id])
      expect(await processJob(deps, steeredPlugin(run), asQueueJob(queueJob(id)), 'token')).toBe('skipped');
    expect(run).not.toHaveBeenCalled();
    expect(await eventsSoFar()).toEqual([]);
    expect(cancellation.running()).toBe(0);
  });
});
