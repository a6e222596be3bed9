// The authorization matrix (docs/security.md §1): every procedure of appRouter, read from the router
// itself, called by five callers — anonymous, another user, a member of the owner's team, the owner
// through an API key, and an admin — against the expected table below. A procedure without a row
// fails the suite, so a new one cannot slip through unchecked. Callers are resolved from real
// headers (session cookies, an API key) the way the web route does.
import { randomUUID } from 'node:crypto';
import { workerKey } from '@visage/db/jobs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/context.ts';
import { appRouter, createCaller } from '../src/root.ts';
import { type FakeWorker, startFakeWorker, workerModel } from './fake-worker.ts';
import { createTestApi } from './support.ts';

const CALLERS = ['anonymous', 'other', 'member', 'ownerKey', 'admin'] as const;
type CallerName = (typeof CALLERS)[number];
/** `ok`: it answered and showed the owner's row; `hidden`: it answered without it; else the error code. */
type Outcome = 'ok' | 'hidden' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'PRECONDITION_FAILED';

interface Fixtures {
  ownerId: string;
  memberEmail: string;
  teamId: string;
  privateAsset: string;
  sharedAsset: string;
  privateJob: string;
  sharedJob: string;
  ownerKeyId: string;
  /** Fresh rows of the owner's, for calls that change or delete what they are given. */
  freshSharedAsset(): Promise<string>;
  freshQueuedJob(): Promise<string>;
  freshFailedJob(): Promise<string>;
  freshOwnerKey(): Promise<string>;
  freshUser(): Promise<{ id: string; email: string }>;
  freshTeamMember(): Promise<string>;
  freshInvitation(email: string): Promise<string>;
}

interface Case {
  /** What this case is about, when a procedure has several. */
  note?: string;
  input?: (f: Fixtures) => unknown | Promise<unknown>;
  /** Whether an answer shows the owner's row (lists) or a worker's details; without it an answer is `ok`. */
  reveals?: (result: unknown, f: Fixtures) => boolean;
  /** anonymous, other, member, ownerKey, admin */
  expect: [Outcome, Outcome, Outcome, Outcome, Outcome];
}

const U = 'UNAUTHORIZED';
const F = 'FORBIDDEN';
const NF = 'NOT_FOUND';
/** Allowed, then refused for what the installation lacks (here: face swap is not enabled). */
const PF = 'PRECONDITION_FAILED';
const ALL_SIGNED_IN: Case['expect'] = [U, 'ok', 'ok', 'ok', 'ok'];
const OWNER_ONLY_ROW: Case['expect'] = [U, NF, NF, 'ok', NF];
const TEAM_ROW: Case['expect'] = [U, NF, 'ok', 'ok', NF];
/** The team may read it, only the owner may change it. */
const OWNER_CHANGES: Case['expect'] = [U, NF, F, 'ok', NF];
const ADMIN_ONLY: Case['expect'] = [U, F, F, F, 'ok'];
const WORKER_DETAILS_ADMIN_ONLY: Case['expect'] = [U, 'hidden', 'hidden', 'hidden', 'ok'];

const ids = (result: unknown) =>
  ((result as { items?: { id: string }[] }).items ?? (result as { id: string }[])).map((r) => r.id);
/** The seeded worker's host, pid or device in an answer. */
const showsWorker = (result: unknown) =>
  /secret-host|4242|Secret GPU|host-w-models|\/models\/w-models/.test(JSON.stringify(result));

const TABLE: Record<string, Case[]> = {
  'jobs.plugins': [{ expect: ALL_SIGNED_IN }],
  'jobs.create': [
    {
      note: 'input: a private asset',
      input: (f) => ({ plugin: 'test', input: { image: f.privateAsset, steps: 1, stepMs: 0 } }),
      expect: OWNER_ONLY_ROW,
    },
    {
      note: 'input: a team asset',
      input: (f) => ({ plugin: 'test', input: { image: f.sharedAsset, steps: 1, stepMs: 0 } }),
      expect: TEAM_ROW,
    },
  ],
  'jobs.list': [
    {
      note: 'private job',
      input: () => ({}),
      reveals: (r, f) => ids(r).includes(f.privateJob),
      expect: [U, 'hidden', 'hidden', 'ok', 'hidden'],
    },
    {
      note: 'team job',
      input: () => ({}),
      reveals: (r, f) => ids(r).includes(f.sharedJob),
      expect: [U, 'hidden', 'ok', 'ok', 'hidden'],
    },
  ],
  'jobs.get': [
    { note: 'private job', input: (f) => ({ id: f.privateJob }), expect: OWNER_ONLY_ROW },
    { note: 'team job', input: (f) => ({ id: f.sharedJob }), expect: TEAM_ROW },
  ],
  'jobs.cancel': [{ input: async (f) => ({ id: await f.freshQueuedJob() }), expect: OWNER_CHANGES }],
  'jobs.retry': [{ input: async (f) => ({ id: await f.freshFailedJob() }), expect: OWNER_CHANGES }],
  'jobs.delete': [{ input: async (f) => ({ id: await f.freshFailedJob() }), expect: OWNER_CHANGES }],
  'jobs.onUpdate': [
    { note: 'private job', input: (f) => ({ id: f.privateJob }), expect: OWNER_ONLY_ROW },
    { note: 'team job', input: (f) => ({ id: f.sharedJob }), expect: TEAM_ROW },
  ],
  'assets.list': [
    {
      note: 'private asset',
      input: () => ({}),
      reveals: (r, f) => ids(r).includes(f.privateAsset),
      expect: [U, 'hidden', 'hidden', 'ok', 'hidden'],
    },
    {
      note: 'team asset',
      input: () => ({}),
      reveals: (r, f) => ids(r).includes(f.sharedAsset),
      expect: [U, 'hidden', 'ok', 'ok', 'hidden'],
    },
  ],
  'assets.get': [
    { note: 'private asset', input: (f) => ({ id: f.privateAsset }), expect: OWNER_ONLY_ROW },
    { note: 'team asset', input: (f) => ({ id: f.sharedAsset }), expect: TEAM_ROW },
  ],
  'assets.star': [
    { input: async (f) => ({ id: await f.freshSharedAsset(), starred: true }), expect: OWNER_CHANGES },
  ],
  'assets.share': [
    { input: async (f) => ({ id: await f.freshSharedAsset(), organizationId: null }), expect: OWNER_CHANGES },
  ],
  'assets.delete': [{ input: async (f) => ({ id: await f.freshSharedAsset() }), expect: OWNER_CHANGES }],
  'assets.deleteMany': [
    { input: async (f) => ({ ids: [await f.freshSharedAsset()] }), expect: OWNER_CHANGES },
  ],
  'system.health': [{ expect: ['ok', 'ok', 'ok', 'ok', 'ok'] }],
  'system.status': [{ reveals: showsWorker, expect: WORKER_DETAILS_ADMIN_ONLY }],
  'system.signupOpen': [{ expect: ['ok', 'ok', 'ok', 'ok', 'ok'] }],
  'system.setSignupOpen': [{ input: () => ({ open: false }), expect: ADMIN_ONLY }],
  'apiKeys.create': [{ input: () => ({ name: 'matrix' }), expect: ALL_SIGNED_IN }],
  'apiKeys.list': [
    { reveals: (r, f) => ids(r).includes(f.ownerKeyId), expect: [U, 'hidden', 'hidden', 'ok', 'hidden'] },
  ],
  'apiKeys.revoke': [{ input: async (f) => ({ id: await f.freshOwnerKey() }), expect: OWNER_ONLY_ROW }],
  'team.list': [
    { reveals: (r, f) => ids(r).includes(f.teamId), expect: [U, 'hidden', 'ok', 'ok', 'hidden'] },
  ],
  'team.create': [{ input: () => ({ name: 'Another team' }), expect: ALL_SIGNED_IN }],
  'team.addMember': [
    {
      input: async (f) => ({ organizationId: f.teamId, email: (await f.freshUser()).email }),
      expect: [U, F, F, 'ok', F],
    },
  ],
  'team.invite': [
    {
      input: (f) => ({ organizationId: f.teamId, email: `${randomUUID()}@example.com` }),
      expect: [U, F, F, 'ok', F],
    },
  ],
  'team.cancelInvitation': [
    {
      input: async (f) => ({ id: await f.freshInvitation(`${randomUUID()}@example.com`) }),
      expect: [U, NF, F, 'ok', NF],
    },
  ],
  'team.removeMember': [
    {
      input: async (f) => ({ organizationId: f.teamId, userId: await f.freshTeamMember() }),
      expect: [U, F, F, 'ok', F],
    },
  ],
  'team.myInvitations': [{ expect: ALL_SIGNED_IN }],
  'team.acceptInvitation': [
    {
      note: 'addressed to the member',
      input: async (f) => ({ id: await f.freshInvitation(f.memberEmail) }),
      expect: [U, NF, 'ok', NF, NF],
    },
  ],
  'models.forJob': [
    {
      input: () => ({ plugin: 'test', options: {} }),
      reveals: showsWorker,
      expect: WORKER_DETAILS_ADMIN_ONLY,
    },
  ],
  'models.list': [{ reveals: showsWorker, expect: WORKER_DETAILS_ADMIN_ONLY }],
  'models.pull': [{ input: () => ({ id: 'tiny' }), expect: ADMIN_ONLY }],
  'models.cancelPull': [{ input: () => ({ id: 'tiny' }), expect: ADMIN_ONLY }],
  'models.onPull': [{ input: () => ({ id: 'tiny' }), expect: ADMIN_ONLY }],
  'models.import': [{ input: () => ({ id: 'tiny', path: '/tmp/tiny.onnx' }), expect: ADMIN_ONLY }],
  'models.verify': [{ input: () => ({ id: 'tiny' }), expect: ADMIN_ONLY }],
  'live.modes': [{ reveals: showsWorker, expect: [U, 'hidden', 'hidden', 'hidden', 'hidden'] }],
  'live.start': [
    {
      note: 'a private asset',
      input: (f) => ({ plugin: 'test', options: { image: f.privateAsset } }),
      reveals: showsWorker,
      expect: [U, NF, NF, 'hidden', NF],
    },
    {
      note: 'a team asset',
      input: (f) => ({ plugin: 'test', options: { image: f.sharedAsset } }),
      reveals: showsWorker,
      expect: [U, NF, 'hidden', 'hidden', NF],
    },
  ],
  'live.watch': [{ expect: ALL_SIGNED_IN }],
  'faceswap.targetFaces': [
    { note: 'a private asset', input: (f) => ({ asset: f.privateAsset }), expect: [U, NF, NF, PF, NF] },
    { note: 'a team asset', input: (f) => ({ asset: f.sharedAsset }), expect: [U, NF, PF, PF, NF] },
  ],
};

type Procedures = typeof appRouter._def.procedures;
const procedures = appRouter._def.procedures as Procedures & Record<string, { _def: { type: string } }>;

describe('authorization matrix', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  let fixtures: Fixtures;
  let modelWorker: FakeWorker;
  const callers = new Map<CallerName, ReturnType<typeof createCaller>>();

  beforeAll(async () => {
    api = await createTestApi({ modelCommandTimeouts: { ackMs: 2000 } });
    const { db } = api.services;
    const signUp = async (email: string) => (await api.signUp(email)).body.user?.id ?? '';
    const adminId = await signUp('admin@example.com');
    await db.appSetting.create({ data: { key: 'signupOpen', value: true } });
    const ownerId = await signUp('owner@example.com');
    await signUp('member@example.com');
    await signUp('other@example.com');
    await db.appSetting.update({ where: { key: 'signupOpen' }, data: { value: false } });

    const owner = await api.callerFor(ownerId);
    const teamId = (await owner.team.create({ name: 'Owners' })).id;
    await (await api.callerFor(ownerId)).team.addMember({
      organizationId: teamId,
      email: 'member@example.com',
    });
    const ownerKey = await (await api.callerFor(ownerId)).apiKeys.create({ name: 'owner-cli' });

    const sessionCookie = async (email: string) => {
      const signedIn = await api.services.auth.api.signInEmail({
        body: { email, password: 'correct horse battery' },
        returnHeaders: true,
      });
      return signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
    };
    const headers: Record<CallerName, Headers> = {
      anonymous: new Headers(),
      other: new Headers({ cookie: await sessionCookie('other@example.com') }),
      member: new Headers({ cookie: await sessionCookie('member@example.com') }),
      ownerKey: new Headers({ authorization: `Bearer ${ownerKey.key}` }),
      admin: new Headers({ cookie: await sessionCookie('admin@example.com') }),
    };
    for (const name of CALLERS)
      callers.set(name, createCaller(await createContext(api.services, headers[name])));
    expect((await callers.get('member')?.team.list())?.map((t) => t.id)).toEqual([teamId]);
    expect(callers.size).toBe(5);
    expect(adminId).not.toBe(ownerId);

    const asset = async (organizationId: string | null) =>
      (
        await db.asset.create({
          data: {
            ownerId,
            organizationId,
            kind: 'upload',
            mime: 'image/png',
            bytes: 10n,
            sha256: randomUUID(),
            storageKey: `aa/${randomUUID()}.png`,
          },
        })
      ).id;
    const failedJob = async (organizationId: string | null) =>
      (
        await db.job.create({
          data: { ownerId, organizationId, plugin: 'test', input: { steps: 1, stepMs: 0 }, status: 'failed' },
        })
      ).id;
    const ownerCaller = callers.get('ownerKey') as ReturnType<typeof createCaller>;
    const freshUser = async () => {
      const id = randomUUID();
      const email = `${id}@example.com`;
      await db.user.create({ data: { id, email, name: 'fresh', emailVerified: false } });
      return { id, email };
    };
    fixtures = {
      ownerId,
      memberEmail: 'member@example.com',
      teamId,
      privateAsset: await asset(null),
      sharedAsset: await asset(teamId),
      privateJob: await failedJob(null),
      sharedJob: await failedJob(teamId),
      ownerKeyId: ownerKey.id,
      freshSharedAsset: () => asset(teamId),
      freshQueuedJob: async () =>
        (await ownerCaller.jobs.create({ plugin: 'test', input: { steps: 1 }, organizationId: teamId })).id,
      freshFailedJob: () => failedJob(teamId),
      freshOwnerKey: async () => (await ownerCaller.apiKeys.create({ name: 'to revoke' })).id,
      freshUser,
      freshTeamMember: async () => {
        const { id } = await freshUser();
        await db.member.create({
          data: {
            id: randomUUID(),
            organizationId: teamId,
            userId: id,
            role: 'member',
            createdAt: new Date(),
          },
        });
        return id;
      },
      freshInvitation: async (email) =>
        (
          await db.invitation.create({
            data: {
              id: randomUUID(),
              organizationId: teamId,
              email,
              role: 'member',
              status: 'pending',
              expiresAt: new Date(Date.now() + 86_400_000),
              inviterId: ownerId,
            },
          })
        ).id,
    };

    // A worker's heartbeat (with a live endpoint) and a worker's model side, whose details only admins see.
    await api.services.redis.set(
      workerKey(api.prefix, 'secret-host-4242'),
      JSON.stringify({
        id: 'secret-host-4242',
        host: 'secret-host',
        pid: 4242,
        device: 'cuda — Secret GPU (80 GiB)',
        accelerator: 'cuda',
        startedAt: new Date().toISOString(),
        live: { url: 'ws://secret-host:7000', slots: 4, active: 0, plugins: ['test'] },
      }),
    );
    modelWorker = await startFakeWorker(api.prefix, {
      workerId: 'w-models',
      plugins: ['test'],
      models: [workerModel('tiny', { installed: true })],
      answer: (envelope) =>
        envelope.command.kind === 'cancelPull'
          ? { ok: true, value: { cancelled: true } as never }
          : { ok: true, value: null as never },
    });
  }, 60_000);

  afterAll(async () => {
    await modelWorker?.stop();
    await api?.close();
  });

  /** Calls one procedure as one caller: its outcome in the table's terms. */
  async function outcome(name: CallerName, path: string, c: Case): Promise<Outcome | string> {
    const caller = callers.get(name);
    const procedure = path
      .split('.')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
    const input = await c.input?.(fixtures);
    try {
      let result = await (procedure as (input: unknown) => Promise<unknown>)(input);
      if (procedures[path]?._def.type === 'subscription') {
        const iterator = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        result = (await iterator.next()).value;
        await iterator.return?.();
      }
      if (!c.reveals) return 'ok';
      return c.reveals(result, fixtures) ? 'ok' : 'hidden';
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code ?? `threw ${(error as Error).message}`;
    }
  }

  it('should have a row for every procedure of the router, and none for a procedure it lacks', () => {
    const paths = Object.keys(procedures).sort();
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !TABLE[p]?.length)).toEqual([]);
    expect(Object.keys(TABLE).filter((p) => !paths.includes(p))).toEqual([]);
  });

  it('should store API keys hashed, show a key only when created, and refuse it at once when revoked', async () => {
    const owner = callers.get('ownerKey') as ReturnType<typeof createCaller>;
    const created = await owner.apiKeys.create({ name: 'shown once' });
    expect(created.key).toMatch(/^visage_.{20,}/);
    const rows = await api.services.db.$queryRaw<unknown[]>`SELECT * FROM apikey`;
    const table = JSON.stringify(rows, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(table).toContain(created.id);
    expect(table).not.toContain(created.key);
    expect(table).not.toContain(created.key.slice(created.start?.length ?? 12));
    expect(JSON.stringify(await owner.apiKeys.list())).not.toContain(created.key);

    const bearer = new Headers({ authorization: `Bearer ${created.key}` });
    const viaKey = createCaller(await createContext(api.services, bearer));
    expect((await viaKey.system.status()).plugins).toEqual(['test']);
    await owner.apiKeys.revoke({ id: created.id });
    // The very next request with it fails: nothing caches a key.
    await expect(createContext(api.services, bearer)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  const cases = Object.entries(TABLE).flatMap(([path, rows]) =>
    rows.map((row) => ({ name: row.note ? `${path} (${row.note})` : path, path, row })),
  );
  it.for(cases)('$name', async ({ path, row }) => {
    const seen: Record<string, string> = {};
    for (const name of CALLERS) seen[name] = await outcome(name, path, row);
    expect(seen).toEqual(Object.fromEntries(CALLERS.map((name, i) => [name, row.expect[i]])));
  });
});
