// The jobs and assets routers through createCaller (no HTTP): validation, paging and filters,
// and who may do what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi } from './support.ts';

describe('jobs router', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  let alice: Awaited<ReturnType<typeof api.callerFor>>;
  let bob: Awaited<ReturnType<typeof api.callerFor>>;
  let aliceId: string;

  beforeAll(async () => {
    api = await createTestApi();
    aliceId = (await api.signUp('alice@example.com')).body.user?.id ?? '';
    await api.services.db.appSetting.create({ data: { key: 'signupOpen', value: true } });
    const bobId = (await api.signUp('bob@example.com')).body.user?.id ?? '';
    alice = await api.callerFor(aliceId);
    bob = await api.callerFor(bobId);
  });
  afterAll(() => api.close());

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
    const failed = await api.services.db.job.create({
      data: {
        ownerId: aliceId,
        plugin: 'test',
        input: {},
        status: 'failed',
        error: 'boom',
        assets: {
          create: [
            { assetId: bare.id, role: 'input', slot: 'a' },
            { assetId: input.id, role: 'input', slot: 'b' },
          ],
        },
      },
    });
    const done = await api.services.db.job.create({
      data: {
        ownerId: aliceId,
        plugin: 'test',
        input: {},
        status: 'succeeded',
        assets: {
          create: [
            { assetId: input.id, role: 'input', slot: 'image' },
            { assetId: output.id, role: 'output', slot: 'result' },
          ],
        },
      },
    });
    const none = await api.services.db.job.create({
      data: { ownerId: aliceId, plugin: 'test', input: {}, status: 'cancelled' },
    });
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
});
