// The assets router through createCaller: the gallery's filters (plugin, job status, starred,
// kind), the producing job on each item, and bulk delete with its ownership rules.
import { createJobRepository } from '@visage/db/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi } from './support.ts';

describe('assets router', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  let alice: Awaited<ReturnType<typeof api.callerFor>>;
  let bob: Awaited<ReturnType<typeof api.callerFor>>;
  let aliceId: string;
  let bobId: string;

  /** An asset row (no file: listing and deleting do not need one), made by a job when `plugin` is set. */
  async function asset(
    ownerId: string,
    kind: 'upload' | 'output' | 'motion',
    plugin?: string,
    status: 'succeeded' | 'cancelled' = 'succeeded',
    slot = 'result',
  ) {
    const row = await api.services.db.asset.create({
      data: {
        ownerId,
        kind,
        mime: 'image/png',
        bytes: 10n,
        sha256: crypto.randomUUID(),
        storageKey: `aa/${crypto.randomUUID()}.png`,
      },
    });
    if (plugin) {
      // Through the job repository, the only writer of a job's status.
      const jobs = createJobRepository(api.services);
      const job = await jobs.create(
        { ownerId, organizationId: null, plugin, input: {}, inputs: [] },
        async () => undefined, // no queue: these jobs never run
      );
      await api.services.db.jobAsset.create({
        data: { jobId: job.id, assetId: row.id, role: 'output', slot },
      });
      if (status === 'cancelled') await jobs.cancel(job.id);
      else {
        await jobs.claim(job.id, { device: 'cpu' });
        await jobs.succeed(job.id, { metadata: {}, timings: { runMs: 1, waitedMs: 1 }, provider: 'cpu' });
      }
    }
    return row.id;
  }

  beforeAll(async () => {
    api = await createTestApi();
    aliceId = (await api.signUp('alice@example.com')).body.user?.id ?? '';
    await api.services.db.appSetting.create({ data: { key: 'signupOpen', value: true } });
    bobId = (await api.signUp('bob@example.com')).body.user?.id ?? '';
    alice = await api.callerFor(aliceId);
    bob = await api.callerFor(bobId);
  });
  afterAll(() => api.close());

  it('should filter outputs by the plugin and status of the job that made them, and name that job', async () => {
    const swap = await asset(aliceId, 'output', 'faceswap');
    const test = await asset(aliceId, 'output', 'test', 'cancelled');
    const motion = await asset(aliceId, 'motion', 'liveportrait');
    await asset(aliceId, 'upload');
    const ids = async (input: Parameters<typeof alice.assets.list>[0]) =>
      (await alice.assets.list(input)).items.map((a) => a.id);
    expect(await ids({ kind: 'output' })).toEqual([test, swap]);
    expect(await ids({ kind: 'output', plugin: 'faceswap' })).toEqual([swap]);
    expect(await ids({ jobStatus: ['cancelled'] })).toEqual([test]);
    expect(await ids({ kind: 'motion' })).toEqual([motion]);
    const [first] = (await alice.assets.list({ kind: 'output', plugin: 'faceswap' })).items;
    expect(first?.job).toMatchObject({ plugin: 'faceswap', status: 'succeeded' });
    expect((await alice.assets.get({ id: swap })).jobs).toEqual([
      { jobId: first?.job?.id, role: 'output', slot: 'result' },
    ]);
  });

  it("should leave a job's side outputs (a saved mask) out of the gallery's view, but not live recordings", async () => {
    const result = await asset(bobId, 'output', 'faceswap');
    const mask = await asset(bobId, 'output', 'faceswap', 'succeeded', 'mask');
    const recording = await asset(bobId, 'output'); // no job: a live recording
    const ids = async (input: Parameters<typeof bob.assets.list>[0]) =>
      (await bob.assets.list({ scope: 'mine', ...input })).items.map((a) => a.id);
    expect(await ids({ kind: 'output' })).toEqual([recording, mask, result]);
    expect(await ids({ kind: 'output', slot: 'result' })).toEqual([recording, result]);
  });

  it('should delete several of the owner’s assets at once, and none when one is not theirs', async () => {
    const mine = [await asset(aliceId, 'output'), await asset(aliceId, 'output')];
    const theirs = await asset(bobId, 'output');
    await expect(alice.assets.deleteMany({ ids: [...mine, theirs] })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await alice.assets.get({ id: mine[0] ?? '' })).id).toBe(mine[0]);
    await expect(bob.assets.deleteMany({ ids: mine })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await alice.assets.deleteMany({ ids: mine })).toEqual({ ids: mine });
    await expect(alice.assets.get({ id: mine[1] ?? '' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(alice.assets.deleteMany({ ids: Array(201).fill(theirs) })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});
