// The job repository against real PostgreSQL and Redis: every action of the transition table from
// every status (allowed and refused), exactly one event per accepted write and none for a refused
// one, and racing writers that cannot break the table.
import { randomUUID } from 'node:crypto';
import { link, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb, type Db, JobStatus } from '../src/index.ts';
import {
  createJobRepository,
  JOB_TRANSITIONS,
  type JobAction,
  type JobRepository,
  type JobRow,
  type RunRecord,
  type Transition,
  transitionTarget,
} from '../src/jobs/index.ts';
import { discardStagedOutputs, MediaStore, newAssetId, type StagedOutput } from '../src/media/index.ts';
import { imageBytes } from '../src/media/testing.ts';
import {
  createTestDatabase,
  deleteRedisKeys,
  type JobEventRecorder,
  recordJobEvents,
  type TestDatabase,
  testRedisPrefix,
} from '../src/testing.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const STATUSES = Object.values(JobStatus);

/** What the table must say, written out by hand so that a change to it has to be made here too. */
const EXPECTED: Record<JobAction, Partial<Record<JobStatus, JobStatus>>> = {
  enqueueFailed: { queued: 'failed' },
  claim: { queued: 'running', running: 'running' },
  progress: { running: 'running' },
  succeed: { running: 'succeeded' },
  fail: { running: 'failed' },
  cancel: { queued: 'cancelled', running: 'cancelled' },
  requestCancel: { queued: 'queued', running: 'running' },
  requeue: { running: 'queued' },
  failFromQueue: { queued: 'failed', running: 'failed' },
};

/** No queue in these tests: the job is "enqueued" without going anywhere. */
const noQueue = () => Promise.resolve();

const run: RunRecord = { metadata: { faces: 1 }, timings: { runMs: 5, waitedMs: 9 }, provider: 'cpu' };

describe('job repository', () => {
  let database: TestDatabase;
  let db: Db;
  let redis: Redis;
  let jobs: JobRepository;
  let ownerId: string;
  const prefix = testRedisPrefix();

  let recorder: JobEventRecorder;
  const eventsSoFar = () => recorder.next();

  const ok = (result: Transition): JobRow => {
    if (!result.ok) throw result.refused;
    return result.job;
  };
  const newJob = () => ({
    ownerId,
    organizationId: null,
    plugin: 'test',
    input: { steps: 1 },
    inputs: [],
  });
  /** A job brought to `status` through the repository itself, its events already read. */
  async function jobIn(status: JobStatus): Promise<JobRow> {
    const created = await jobs.create(newJob(), noQueue);
    let job = created;
    if (status === 'cancelled') job = ok(await jobs.cancel(created.id));
    else if (status !== 'queued') {
      job = ok(await jobs.claim(created.id, { device: 'cpu' }));
      if (status === 'succeeded') job = ok(await jobs.succeed(created.id, run));
      if (status === 'failed') job = ok(await jobs.fail(created.id, new Error('boom'), run));
    }
    await eventsSoFar();
    return job;
  }

  const act: Record<JobAction, (id: string) => Promise<Transition>> = {
    enqueueFailed: (id) => jobs.enqueueFailed(id, new Error('Redis is down')),
    claim: (id) => jobs.claim(id, { device: 'cpu' }),
    progress: (id) => jobs.progress(id, { fraction: 0.5, stage: 'frame 1/2', preview: true }),
    succeed: (id) => jobs.succeed(id, run),
    fail: (id) => jobs.fail(id, new Error('plugin broke'), run),
    cancel: (id) => jobs.cancel(id),
    requestCancel: (id) => jobs.requestCancel(id),
    requeue: (id) => jobs.requeue(id, run),
    failFromQueue: (id) => jobs.failFromQueue(id, 'job stalled more than allowable limit'),
  };

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'jobs' });
    db = createDb({ url: database.url, applicationName: 'visage-jobs-test' });
    redis = new Redis(redisUrl);
    recorder = await recordJobEvents(redisUrl, redis, prefix);
    jobs = createJobRepository({ db, redis, redisPrefix: prefix });
    ownerId = (await db.user.create({ data: { id: 'owner', name: 'Ada', email: 'ada@example.com' } })).id;
  });
  beforeEach(async () => {
    await eventsSoFar();
  });
  afterAll(async () => {
    await recorder.close();
    await deleteRedisKeys(redis, prefix);
    await redis.quit();
    await db.$disconnect();
    await database.drop();
  });

  it('should hold the transitions the lifecycle needs, and no others', () => {
    for (const action of Object.keys(JOB_TRANSITIONS) as JobAction[])
      for (const status of STATUSES)
        expect(transitionTarget(action, status), `${action} from ${status}`).toBe(EXPECTED[action][status]);
  });

  for (const action of Object.keys(EXPECTED) as JobAction[]) {
    for (const status of STATUSES) {
      const target = EXPECTED[action][status];
      if (target) {
        it(`should ${action} a ${status} job to ${target} and announce it once`, async () => {
          const before = await jobIn(status);
          const result = await act[action](before.id);
          const after = ok(result);
          expect(after.status).toBe(target);
          expect(await db.job.findUniqueOrThrow({ where: { id: before.id } })).toEqual(after);
          const events = await eventsSoFar();
          expect(events).toEqual([
            expect.objectContaining({ jobId: before.id, status: target, version: after.updatedAt.getTime() }),
          ]);
        });
      } else {
        it(`should refuse to ${action} a ${status} job, leave it as it was and announce nothing`, async () => {
          const before = await jobIn(status);
          const result = await act[action](before.id);
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.refused).toMatchObject({ jobId: before.id, action, status });
          expect(result.refused.message).toBe(
            `Job ${before.id} is ${status}: ${action} is only allowed from ${JOB_TRANSITIONS[action].from.join(' or ')}`,
          );
          expect(await db.job.findUniqueOrThrow({ where: { id: before.id } })).toEqual(before);
          expect(await eventsSoFar()).toEqual([]);
        });
      }
    }
    it(`should refuse to ${action} a job that does not exist`, async () => {
      const result = await act[action](randomUUID());
      expect(result).toMatchObject({ ok: false, refused: { status: null } });
      expect(await eventsSoFar()).toEqual([]);
    });
  }

  it('should create a queued job with its input links and announce it once it is on the queue', async () => {
    const asset = await db.asset.create({
      data: {
        ownerId,
        kind: 'upload',
        mime: 'image/png',
        bytes: 1n,
        sha256: 'a'.repeat(64),
        storageKey: 'a.png',
      },
    });
    const enqueued: string[] = [];
    const job = await jobs.create(
      { ...newJob(), inputs: [{ assetId: asset.id, slot: 'image', position: 0 }] },
      async (row) => {
        expect(await eventsSoFar()).toEqual([]); // not announced before it is on the queue
        enqueued.push(row.id);
      },
    );
    expect(enqueued).toEqual([job.id]);
    expect(job.status).toBe('queued');
    expect(await db.jobAsset.findMany({ where: { jobId: job.id } })).toEqual([
      expect.objectContaining({ assetId: asset.id, role: 'input', slot: 'image', position: 0 }),
    ]);
    expect(await eventsSoFar()).toEqual([expect.objectContaining({ jobId: job.id, status: 'queued' })]);
  });

  it('should fail a job it could not enqueue, announce that once, and rethrow', async () => {
    const down = new Error('Redis is down');
    let id = '';
    await expect(
      jobs.create(newJob(), async (row) => {
        id = row.id;
        throw down;
      }),
    ).rejects.toBe(down);
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'failed',
      error: 'Could not queue the job: Redis is down',
      finishedAt: expect.any(Date),
    });
    expect(await eventsSoFar()).toEqual([
      expect.objectContaining({
        jobId: id,
        status: 'failed',
        error: 'Could not queue the job: Redis is down',
      }),
    ]);
  });

  it('should keep the first start time and count attempts when a crashed worker’s job is claimed again', async () => {
    const first = await jobIn('running');
    const second = ok(await jobs.claim(first.id, { device: 'cuda' }));
    expect(second).toMatchObject({
      attempts: 2,
      device: 'cuda',
      stage: 'starting',
      startedAt: first.startedAt,
    });
  });

  it('should bump the preview version only with a preview, and record how a run ended', async () => {
    const job = await jobIn('running');
    expect(
      ok(await jobs.progress(job.id, { fraction: 0.2, stage: 'a', preview: false })).previewVersion,
    ).toBe(0);
    expect(ok(await jobs.progress(job.id, { fraction: 0.4, stage: 'b', preview: true })).previewVersion).toBe(
      1,
    );
    const done = ok(await jobs.succeed(job.id, run));
    expect(done).toMatchObject({ progress: 1, stage: 'done', ...run, finishedAt: expect.any(Date) });
    const failed = ok(await jobs.fail((await jobIn('running')).id, new Error('broke'), run));
    expect(failed).toMatchObject({ error: 'broke', errorStack: expect.stringContaining('Error: broke') });
  });

  it('should note a cancel request on the row without changing its status', async () => {
    const job = await jobIn('running');
    const requested = ok(await jobs.requestCancel(job.id));
    expect(requested).toMatchObject({ status: 'running', cancelRequestedAt: expect.any(Date) });
  });

  it('should never let a late worker turn a cancelled job into a succeeded one', async () => {
    const job = await jobIn('running');
    ok(await jobs.cancel(job.id, { stage: 'cancelled before it started' }));
    const late = await jobs.succeed(job.id, run);
    expect(late).toMatchObject({ ok: false, refused: { status: 'cancelled', action: 'succeed' } });
    expect((await db.job.findUniqueOrThrow({ where: { id: job.id } })).status).toBe('cancelled');
    expect((await eventsSoFar()).map((e) => e.status)).toEqual(['cancelled']);
  });

  it('should let exactly one of several racing writers end a running job', async () => {
    for (let round = 0; round < 5; round++) {
      const job = await jobIn('running');
      const results = await Promise.all([
        jobs.succeed(job.id, run),
        jobs.cancel(job.id),
        jobs.failFromQueue(job.id, 'stalled'),
        jobs.fail(job.id, new Error('broke'), run),
      ]);
      const winners = results.flatMap((r) => (r.ok ? [r.job] : []));
      expect(winners).toHaveLength(1);
      const final = await db.job.findUniqueOrThrow({ where: { id: job.id } });
      expect(final.status).toBe(winners[0]?.status);
      expect((await eventsSoFar()).map((e) => e.status)).toEqual([final.status]);
    }
  });

  it("should refuse a run's writes once another claim has taken the job (a worker that lost its lock)", async () => {
    const created = await jobs.create(newJob(), noQueue);
    const first = ok(await jobs.claim(created.id, { device: 'cpu' }));
    const second = ok(await jobs.claim(created.id, { device: 'cpu' })); // the stall check re-ran it
    expect([first.attempts, second.attempts]).toEqual([1, 2]);
    await eventsSoFar();
    const stale = { ...run, attempt: first.attempts };
    for (const write of [
      () => jobs.progress(created.id, { fraction: 0.5, stage: 'old', preview: false, attempt: 1 }),
      () => jobs.fail(created.id, new Error('old run broke'), stale),
      () => jobs.succeed(created.id, stale),
      () => jobs.requeue(created.id, stale),
      () => jobs.cancel(created.id, { run: stale }),
    ]) {
      const refused = await write();
      expect(refused).toMatchObject({ ok: false, refused: { status: 'running' } });
      expect(refused.ok ? '' : refused.refused.message).toMatch(/claimed again \(attempt 2\).*attempt 1/);
    }
    expect(ok(await jobs.succeed(created.id, { ...run, attempt: second.attempts })).status).toBe('succeeded');
    expect((await eventsSoFar()).map((e) => e.status)).toEqual(['succeeded']);
  });

  describe('outputs committed with the success', () => {
    let store: MediaStore;
    beforeAll(async () => {
      store = new MediaStore(await mkdtemp(path.join(os.tmpdir(), 'visage-jobs-outputs-')));
    });
    afterAll(async () => {
      await rm(store.root, { recursive: true, force: true });
    });

    /** An output staged the way a run's writeOutput stages it. */
    async function stage(jobId: string, width: number, slot = 'result'): Promise<StagedOutput> {
      const assetId = newAssetId();
      const staged = await store.stage({ data: await imageBytes('png', width, 8) }, { jobId, assetId });
      return { ...staged, assetId, slot, position: 0, kind: 'output' };
    }
    const tmpFiles = async () => readdir(path.join(store.root, 'tmp'));
    const outputsOf = (jobId: string) =>
      db.jobAsset.findMany({ where: { jobId, role: 'output' }, include: { asset: true } });

    it('should create the rows, links and files with the success, leaving nothing staged', async () => {
      const job = await jobIn('running');
      const staged = await stage(job.id, 21);
      expect(await tmpFiles()).toHaveLength(2); // the file and its preview
      ok(await jobs.succeed(job.id, run, { store, staged: [staged] }));
      const [output] = await outputsOf(job.id);
      expect(output).toMatchObject({ slot: 'result', assetId: staged.assetId, asset: { ownerId } });
      expect(await store.has(staged.stored.storageKey)).toBe(true);
      expect(await store.has(staged.stored.thumbnailKey)).toBe(true);
      expect(await tmpFiles()).toEqual([]);
      expect((await eventsSoFar()).map((e) => e.status)).toEqual(['succeeded']);
    });

    it('should commit no outputs when succeed is refused, and remove the staged files', async () => {
      const job = await jobIn('running');
      const staged = await stage(job.id, 22);
      ok(await jobs.cancel(job.id)); // the owner's cancel wins the race
      await eventsSoFar();
      const late = await jobs.succeed(job.id, run, { store, staged: [staged] });
      expect(late).toMatchObject({ ok: false, refused: { status: 'cancelled', action: 'succeed' } });
      expect(await outputsOf(job.id)).toEqual([]);
      expect(await db.asset.count({ where: { id: staged.assetId } })).toBe(0);
      expect(await store.has(staged.stored.storageKey)).toBe(false);
      expect(await tmpFiles()).toEqual([]);
      expect(await eventsSoFar()).toEqual([]);
    });

    it('should remove a file a crashed commit placed, but keep one a row references', async () => {
      // A worker killed after linking the output into place, before its transaction committed.
      const job = await jobIn('running');
      const staged = await stage(job.id, 23);
      const target = store.absolutePath(staged.stored.storageKey);
      await mkdir(path.dirname(target), { recursive: true });
      await link(staged.file, target);
      expect(await discardStagedOutputs(db, store, job.id)).toBe(2);
      expect(await store.has(staged.stored.storageKey)).toBe(false);
      expect(await tmpFiles()).toEqual([]);

      // Placed again by a crashed commit, then the same bytes committed by another job: the placed
      // file is that job's output now and stays.
      const again = await stage(job.id, 24);
      const placed = store.absolutePath(again.stored.storageKey);
      await mkdir(path.dirname(placed), { recursive: true });
      await link(again.file, placed);
      const other = await jobIn('running');
      const committed = await stage(other.id, 24);
      ok(await jobs.succeed(other.id, run, { store, staged: [committed] }));
      expect(await discardStagedOutputs(db, store, job.id)).toBe(2);
      expect(await store.has(again.stored.storageKey)).toBe(true);
      expect(await tmpFiles()).toEqual([]);
    });
  });
});
