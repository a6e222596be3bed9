// The jobs and assets routers through createCaller (no HTTP): validation, paging and filters,
// who may do what, and the job lifecycle as the API drives it (through the job repository).
import { createJobRepository, jobCancelChannel, type RunRecord, type Transition } from '@visage/db/jobs';
import { type JobEventRecorder, recordJobEvents } from '@visage/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaller } from '../src/access.ts';
import { type ApiServices, createContextInner } from '../src/context.ts';
import { createCaller } from '../src/root.ts';
import { createTestApi } from './support.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run: RunRecord = { metadata: {}, timings: { runMs: 1, waitedMs: 1 }, provider: null };
const ok = (result: Transition) => {
  if (!result.ok) throw result.refused;
  return result.job;
};

describe('jobs router', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  let alice: Awaited<ReturnType<typeof api.callerFor>>;
  let bob: Awaited<ReturnType<typeof api.callerFor>>;
  let aliceId: string;
  let events: JobEventRecorder;
  /** The repository a worker would use, to move jobs along as a worker would. */
  let worker: ReturnType<typeof createJobRepository>;
  /** Alice through services with some parts replaced (a queue that fails, a job a worker holds). */
  const aliceWith = async (replaced: Partial<ApiServices>) =>
    createCaller(
      createContextInner(
        { ...api.services, ...replaced },
        await loadCaller(
          api.services.db,
          await api.services.db.user.findUniqueOrThrow({ where: { id: aliceId } }),
        ),
      ),
    );

  beforeAll(async () => {
    api = await createTestApi();
    events = await recordJobEvents(redisUrl, api.services.redis, api.services.redisPrefix);
    worker = createJobRepository(api.services);
    aliceId = (await api.signUp('alice@example.com')).body.user?.id ?? '';
    await api.services.db.appSetting.create({ data: { key: 'signupOpen', value: true } });
    const bobId = (await api.signUp('bob@example.com')).body.user?.id ?? '';
    alice = await api.callerFor(aliceId);
    bob = await api.callerFor(bobId);
  });
  afterAll(async () => {
    await events.close();
    await api.close();
  });

  it('should name every invalid field of a plugin input', async () => {
    await expect(
      alice.jobs.create({ plugin: 'test', input: { steps: 0, stepMs: -1 } }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^Invalid test input — steps: .*; stepMs: /),
    });
  });

  it('should refuse an input asset that does not exist', async () => {
    await expect(
      alice.jobs.create({ plugin: 'test', input: { image: '0190c5a0-0000-7000-8000-000000000001' } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('should give each listed job a cover: its first output with a thumbnail, else its first input', async () => {
    const image = (thumbnailKey: string | null, kind: 'upload' | 'output') =>
      api.services.db.asset.create({
        data: {
          ownerId: aliceId,
          kind,
          mime: 'image/png',
          bytes: 10n,
          sha256: crypto.randomUUID(),
          storageKey: `aa/${crypto.randomUUID()}.png`,
          thumbnailKey,
        },
      });
    const [input, bare, output] = [
      await image('aa/in.webp', 'upload'),
      await image(null, 'upload'),
      await image('aa/out.webp', 'output'),
    ];
    const seeded = (inputs: { assetId: string; slot: string }[]) =>
      worker.create(
        {
          ownerId: aliceId,
          organizationId: null,
          plugin: 'test',
          input: {},
          inputs: inputs.map((link) => ({ ...link, position: 0 })),
        },
        () => Promise.resolve(),
      );
    const failed = await seeded([
      { assetId: bare.id, slot: 'a' },
      { assetId: input.id, slot: 'b' },
    ]);
    ok(await worker.claim(failed.id, { device: 'cpu' }));
    ok(await worker.fail(failed.id, new Error('boom'), run));
    const done = await seeded([{ assetId: input.id, slot: 'image' }]);
    ok(await worker.claim(done.id, { device: 'cpu' }));
    await api.services.db.jobAsset.create({
      data: { jobId: done.id, assetId: output.id, role: 'output', slot: 'result' },
    });
    ok(await worker.succeed(done.id, run));
    const none = await seeded([]);
    ok(await worker.cancel(none.id));
    const { items } = await alice.jobs.list({ status: ['failed', 'succeeded', 'cancelled'] });
    const cover = (id: string) => items.find((j) => j.id === id)?.coverUrl;
    expect(cover(failed.id)).toBe(`/api/media/${input.id}?variant=thumbnail`);
    expect(cover(done.id)).toBe(`/api/media/${output.id}?variant=thumbnail`);
    expect(cover(none.id)).toBeNull();
    expect(items.find((j) => j.id === failed.id)?.assets.map((a) => a.slot)).toEqual(['a', 'b']);
    await api.services.db.job.deleteMany({ where: { id: { in: [failed.id, done.id, none.id] } } });
  });

  it('should page through jobs newest first without gaps or repeats, and filter them', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await alice.jobs.create({ plugin: 'test', input: { steps: 1 } })).id);
    await alice.jobs.cancel({ id: ids[0] ?? '' }); // no worker runs here: still queued, so removed at once
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await alice.jobs.list({
        limit: 2,
        cursor,
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen, JSON.stringify(await alice.jobs.list({ limit: 10 }))).toEqual([...ids].reverse());
    const cancelled = await alice.jobs.list({ status: ['cancelled'] });
    expect(cancelled.items.map((j) => j.id)).toEqual([ids[0]]);
    expect((await alice.jobs.list({ plugin: 'wan' })).items).toEqual([]);
    expect((await bob.jobs.list({})).items).toEqual([]);
    const counts = await alice.system.status();
    expect(counts.queues.test?.waiting).toBe(4);
  });

  it('should refuse to delete a job that has not ended, and delete it once it has', async () => {
    const { id } = await alice.jobs.create({ plugin: 'test', input: {} });
    await expect(alice.jobs.delete({ id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await alice.jobs.cancel({ id });
    await expect(alice.jobs.cancel({ id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await alice.jobs.delete({ id });
    await expect(alice.jobs.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('should show a job shared with a team to its members, but let only the owner change it', async () => {
    const team = await alice.team.create({ name: 'Crew' });
    await alice.team.addMember({ organizationId: team.id, email: 'bob@example.com' });
    const teammate = await api.callerFor(
      (await api.services.db.user.findUniqueOrThrow({ where: { email: 'bob@example.com' } })).id,
    );
    await expect(
      teammate.jobs.create({ plugin: 'test', input: {}, organizationId: 'not-my-team' }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    alice = await api.callerFor(aliceId); // membership is read per request
    const { id } = await alice.jobs.create({ plugin: 'test', input: {}, organizationId: team.id });
    expect((await teammate.jobs.get({ id })).id).toBe(id);
    expect((await teammate.jobs.list({ scope: 'mine' })).items).toEqual([]);
    await expect(teammate.jobs.cancel({ id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(teammate.jobs.retry({ id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const detail = await teammate.jobs.get({ id });
    expect(detail.ownerId).toBe(aliceId);
  });

  it('should announce a new job once, and link a retry to the job it retries', async () => {
    await events.next();
    const { id } = await alice.jobs.create({ plugin: 'test', input: { steps: 1 } });
    expect(await events.next()).toEqual([expect.objectContaining({ jobId: id, status: 'queued' })]);
    ok(await worker.claim(id, { device: 'cpu' }));
    ok(await worker.fail(id, new Error('boom'), run));
    const retried = await alice.jobs.retry({ id });
    expect(await alice.jobs.get({ id: retried.id })).toMatchObject({ status: 'queued', retryOfId: id });
  });

  it('should record and announce a job it could not put on its queue, and say why', async () => {
    const down = new Error('Redis is down');
    const withoutQueue = await aliceWith({
      queues: { ...api.services.queues, enqueue: () => Promise.reject(down) },
    });
    await events.next();
    await expect(withoutQueue.jobs.create({ plugin: 'test', input: {} })).rejects.toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Redis is down',
    });
    const announced = await events.next();
    expect(announced).toEqual([
      expect.objectContaining({ status: 'failed', error: 'Could not queue the job: Redis is down' }),
    ]);
    expect(await alice.jobs.get({ id: announced[0]?.jobId ?? '' })).toMatchObject({
      status: 'failed',
      error: 'Could not queue the job: Redis is down',
    });
  });

  it('should cancel a job still on its queue at once, announcing it once', async () => {
    const { id } = await alice.jobs.create({ plugin: 'test', input: {} });
    await events.next();
    expect(await alice.jobs.cancel({ id })).toEqual({ id, status: 'cancelled' });
    expect(await events.next()).toEqual([
      expect.objectContaining({ jobId: id, status: 'cancelled', stage: 'cancelled before it started' }),
    ]);
  });

  it('should note the cancel of a job a worker holds on its row, then tell the worker', async () => {
    const { id } = await alice.jobs.create({ plugin: 'test', input: {} });
    ok(await worker.claim(id, { device: 'cpu' }));
    // BullMQ handed it to a worker: it is no longer waiting on the queue.
    const held = await aliceWith({
      queues: { ...api.services.queues, removeWaiting: () => Promise.resolve(false) },
    });
    const listener = new Redis(redisUrl);
    const told = new Promise<string>((resolve) =>
      listener.on('message', (_channel: string, jobId: string) => resolve(jobId)),
    );
    await listener.subscribe(jobCancelChannel(api.services.redisPrefix));
    try {
      expect(await held.jobs.cancel({ id })).toEqual({ id, status: 'running' });
      expect(await told).toBe(id);
    } finally {
      await listener.quit();
    }
    expect(await api.services.db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'running',
      cancelRequestedAt: expect.any(Date),
    });
    // The worker stops it; a cancel after that is refused.
    ok(await worker.cancel(id, { run }));
    await expect(held.jobs.cancel({ id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `Job ${id} has already cancelled`,
    });
  });
});
