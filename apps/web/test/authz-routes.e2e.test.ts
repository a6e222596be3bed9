// The route handlers' authorization matrix (docs/security.md §1) on one real stack: uploads, media
// (and thumbnails), job previews, zips and live tickets, each called by five callers — anonymous,
// another user, a member of the owner's team, the owner through an API key, and an admin — against
// the expected table below. Another user's ids answer 404 exactly like ids that do not exist.
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
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

const CALLERS = ['anonymous', 'other', 'member', 'ownerKey', 'admin'] as const;
type CallerName = (typeof CALLERS)[number];

interface Rows {
  privateAsset: string;
  sharedAsset: string;
  privateJob: string;
  sharedJob: string;
}

interface Route {
  name: string;
  request(rows: Rows): { method: string; path: string; body?: BodyInit; type?: string };
  /** Statuses for anonymous, other, member, ownerKey, admin. */
  expect: [number, number, number, number, number];
}

const OWNER_ONLY = [401, 404, 404, 200, 404] as Route['expect'];
const TEAM = [401, 404, 200, 200, 404] as Route['expect'];
const SIGNED_IN = [401, 200, 200, 200, 200] as Route['expect'];
const trpcBody = (input: unknown) => JSON.stringify({ json: input });

const ROUTES: Route[] = [
  {
    name: 'POST /api/upload',
    request: () => ({ method: 'POST', path: '/api/upload?name=dot.png', body: PNG, type: 'image/png' }),
    expect: [401, 201, 201, 201, 201],
  },
  {
    name: 'GET /api/media/<private>',
    request: (r) => ({ method: 'GET', path: `/api/media/${r.privateAsset}` }),
    expect: OWNER_ONLY,
  },
  {
    name: 'GET /api/media/<team>',
    request: (r) => ({ method: 'GET', path: `/api/media/${r.sharedAsset}` }),
    expect: TEAM,
  },
  {
    name: 'HEAD /api/media/<private>',
    request: (r) => ({ method: 'HEAD', path: `/api/media/${r.privateAsset}` }),
    expect: OWNER_ONLY,
  },
  {
    name: 'GET /api/media/<private>?variant=thumbnail',
    request: (r) => ({ method: 'GET', path: `/api/media/${r.privateAsset}?variant=thumbnail` }),
    expect: OWNER_ONLY,
  },
  {
    name: 'GET /api/media/<team>?variant=thumbnail',
    request: (r) => ({ method: 'GET', path: `/api/media/${r.sharedAsset}?variant=thumbnail` }),
    expect: TEAM,
  },
  {
    name: 'GET /api/jobs/<private>/preview',
    request: (r) => ({ method: 'GET', path: `/api/jobs/${r.privateJob}/preview` }),
    expect: OWNER_ONLY,
  },
  {
    name: 'GET /api/jobs/<team>/preview',
    request: (r) => ({ method: 'GET', path: `/api/jobs/${r.sharedJob}/preview` }),
    expect: TEAM,
  },
  {
    name: 'GET /api/assets/zip?ids=<private>',
    request: (r) => ({ method: 'GET', path: `/api/assets/zip?ids=${r.privateAsset}` }),
    expect: OWNER_ONLY,
  },
  {
    name: 'GET /api/assets/zip?ids=<team>,<private>',
    request: (r) => ({ method: 'GET', path: `/api/assets/zip?ids=${r.sharedAsset},${r.privateAsset}` }),
    expect: OWNER_ONLY,
  },
  {
    name: 'POST /api/assets/zip { ids: [<team>] }',
    request: (r) => ({
      method: 'POST',
      path: '/api/assets/zip',
      body: JSON.stringify({ ids: [r.sharedAsset] }),
      type: 'application/json',
    }),
    expect: TEAM,
  },
  {
    name: 'live ticket for a private asset (live.start)',
    request: (r) => ({
      method: 'POST',
      path: '/api/trpc/live.start',
      body: trpcBody({ plugin: 'test', options: { image: r.privateAsset } }),
      type: 'application/json',
    }),
    expect: OWNER_ONLY,
  },
  {
    name: 'live ticket for a team asset (live.start)',
    request: (r) => ({
      method: 'POST',
      path: '/api/trpc/live.start',
      body: trpcBody({ plugin: 'test', options: { image: r.sharedAsset } }),
      type: 'application/json',
    }),
    expect: TEAM,
  },
  {
    name: 'live watch ticket (live.watch)',
    request: () => ({ method: 'POST', path: '/api/trpc/live.watch', body: '{}', type: 'application/json' }),
    expect: SIGNED_IN,
  },
];

let PNG: Buffer;
let testEnv: TestEnv;
let server: NextServer;
let worker: WorkerProcess;
/** Where the web server answers. */
const stack = { base: '' };
let rows: Rows;
let ownerKey: string;
const headers = new Map<CallerName, Record<string, string>>();

async function call(name: CallerName, route: Route) {
  const { method, path, body, type } = route.request(rows);
  const response = await fetch(stack.base + path, {
    method,
    headers: { origin: stack.base, ...(type ? { 'content-type': type } : {}), ...headers.get(name) },
    body,
  });
  const text = method === 'HEAD' ? '' : await response.text();
  return { status: response.status, text };
}

beforeAll(async () => {
  PNG = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366aa' } })
    .png()
    .toBuffer();
  testEnv = await createTestEnv('authz-routes');
  server = await startNext(testEnv.env);
  worker = startWorkerProcess(testEnv.env);
  // Generous waits: the machine running the suite may be busy with other stacks.
  await Promise.all([waitUntilReady(server), waitForLog(worker, 'worker ready', { timeoutMs: 120_000 })]);
  stack.base = server.base;
  // next dev compiles each route on its first request: do that here, in the long hook.
  for (const path of [
    '/api/upload',
    '/api/media/warm',
    '/api/jobs/warm/preview',
    '/api/assets/zip',
    '/api/trpc/warm',
  ])
    await (await fetch(stack.base + path, { signal: AbortSignal.timeout(120_000) })).arrayBuffer();
  const admin = await signUp(stack.base, 'admin@example.com');
  await trpcWith(stack.base, { cookie: admin.cookie }).system.setSignupOpen.mutate({ open: true });
  const owner = await signUp(stack.base, 'owner@example.com');
  const member: Account = await signUp(stack.base, 'member@example.com');
  const other = await signUp(stack.base, 'other@example.com');
  ownerKey = (await trpcWith(stack.base, { cookie: owner.cookie }).apiKeys.create.mutate({ name: 'matrix' }))
    .key;
  const asOwner = trpcWith(stack.base, { authorization: `Bearer ${ownerKey}` });
  const team = await asOwner.team.create.mutate({ name: 'Owners' });
  await asOwner.team.addMember.mutate({ organizationId: team.id, email: member.email });
  headers.set('anonymous', {});
  headers.set('other', { cookie: other.cookie });
  headers.set('member', { cookie: member.cookie });
  headers.set('ownerKey', { authorization: `Bearer ${ownerKey}` });
  headers.set('admin', { cookie: admin.cookie });

  const upload = async () => {
    const response = await fetch(`${stack.base}/api/upload?name=${randomUUID()}.png`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerKey}`, 'content-type': 'image/png' },
      // Distinct bytes, so the two assets are two stored files.
      body: await sharp(PNG)
        .png({ compressionLevel: Math.floor(Math.random() * 9) })
        .toBuffer(),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };
  const privateAsset = await upload();
  const sharedAsset = await upload();
  await asOwner.assets.share.mutate({ id: sharedAsset, organizationId: team.id });
  const job = async (organizationId: string | null) =>
    (
      await asOwner.jobs.create.mutate({
        plugin: 'test',
        input: { image: sharedAsset, steps: 2, stepMs: 0 },
        organizationId,
      })
    ).id;
  rows = { privateAsset, sharedAsset, privateJob: await job(null), sharedJob: await job(team.id) };
  // Previews exist once the jobs ran.
  await vi.waitFor(
    async () => {
      for (const id of [rows.privateJob, rows.sharedJob]) {
        const state = await asOwner.jobs.get.query({ id });
        if (state.status !== 'succeeded' || state.previewVersion === 0)
          throw new Error(`job ${id} is ${state.status}, preview ${state.previewVersion}`);
      }
    },
    { timeout: 60_000, interval: 250 },
  );
}, 240_000);

afterAll(async () => {
  await killWorker(worker);
  await stopNext(server);
  await testEnv?.drop();
});

describe('route handlers: who may call what', () => {
  it.for(ROUTES.map((r) => [r.name, r] as const))('%s', async ([, route]) => {
    const seen: Record<string, number> = {};
    for (const name of CALLERS) seen[name] = (await call(name, route)).status;
    expect(seen).toEqual(Object.fromEntries(CALLERS.map((name, i) => [name, route.expect[i]])));
  });

  it("should answer another user's media, preview and zip ids exactly like ids that do not exist", {
    timeout: 90_000,
  }, async () => {
    const missing = randomUUID();
    const pairs: [string, string][] = [
      [`/api/media/${rows.privateAsset}`, `/api/media/${missing}`],
      [`/api/media/${rows.privateAsset}?variant=thumbnail`, `/api/media/${missing}?variant=thumbnail`],
      [`/api/jobs/${rows.privateJob}/preview`, `/api/jobs/${missing}/preview`],
      [`/api/assets/zip?ids=${rows.privateAsset}`, `/api/assets/zip?ids=${missing}`],
    ];
    for (const [theirs, none] of pairs) {
      for (const name of ['other', 'member', 'admin'] as const) {
        const route = (path: string): Route => ({
          name: path,
          request: () => ({ method: 'GET', path }),
          expect: OWNER_ONLY,
        });
        const [a, b] = [await call(name, route(theirs)), await call(name, route(none))];
        expect(a.status).toBe(404);
        expect(b.status).toBe(404);
        // Same body but for the id itself.
        const [ids, idn] = [theirs.match(/[0-9a-f-]{36}/)?.[0] ?? '', missing];
        expect(a.text.replace(ids, '<id>')).toBe(b.text.replace(idn, '<id>'));
      }
    }
  });

  it('should refuse an API key at once when it is revoked', async () => {
    const asOwner = trpcWith(stack.base, { authorization: `Bearer ${ownerKey}` });
    const key = await asOwner.apiKeys.create.mutate({ name: 'revoke me' });
    const media = () =>
      fetch(`${stack.base}/api/media/${rows.privateAsset}`, {
        headers: { authorization: `Bearer ${key.key}` },
      });
    expect((await media()).status).toBe(200);
    await asOwner.apiKeys.revoke.mutate({ id: key.id });
    const refused = await media();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
