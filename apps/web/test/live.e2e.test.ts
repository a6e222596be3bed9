// Live mode end to end (docs/live.md): the web server, two worker processes, PostgreSQL and Redis.
// A Node client streams camera-like frames of the astronaut photo at 30 fps through the web app's
// own origin to a face swap session (fixture models, the real BlazeFace) and a portrait session,
// and every way of getting a socket without a valid ticket is refused with its close code.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createVisageClient } from '@visage/api/client';
import { LIVE_CLOSE, signLiveTicket } from '@visage/db/live';
import { LiveClient } from '@visage/db/live/client';
import {
  ASTRONAUT,
  astronautCameraFrames,
  FACESWAP_FIXTURE_SPECS,
  installFixtureModels,
  LP_FIXTURE_SPECS,
} from '@visage/plugins/testing';
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

/** vi.waitFor gives up after 1 s by default; a loaded CI machine answers slower than that. */
const WAIT = { timeout: 15_000, interval: 50 };

const SECRET = 'live-test-secret-0123456789-0123456789';
const MIB = 1024 * 1024;
const WIDTH = 640;
const HEIGHT = 480;

let dir: string;
let testEnv: TestEnv;
let web: NextServer;
let workerA: WorkerProcess;
let workerB: WorkerProcess;
let workerBUrl: string;
let alice: Account;
let bob: Account;
let portraitId: string;
let frames: Buffer[];

const wsBase = () => web.base.replace(/^http/, 'ws');
const trpc = (account: Account) => trpcWith(web.base, { cookie: account.cookie });

/** Resident memory of a process in bytes (ps works on Linux and macOS). */
async function rss(pid: number): Promise<number> {
  const { stdout } = await promisify(execFile)('ps', ['-o', 'rss=', '-p', String(pid)]);
  return Number(stdout.trim()) * 1024;
}

/** A ticket from the API, a socket through the web server, the hello, and the worker's `ready`. */
async function startSession(
  account: Account,
  plugin: string,
  options: Record<string, unknown>,
  { width = WIDTH, height = HEIGHT } = {},
) {
  const ticket = await trpc(account).live.start.mutate({ plugin, options });
  const client = await LiveClient.connect(wsBase() + ticket.path);
  client.hello({ plugin, options: ticket.options, width, height });
  await client.whenReady();
  return { client, ticket };
}

/** Sends frames at `fps` for `count` frames (paced like a camera), then waits until each is accounted for. */
async function stream(client: LiveClient, count: number, fps = 30) {
  await client.sendPaced(frames, count, fps);
  // Every frame sent was processed and returned, or dropped and counted, by the worker's own totals.
  return vi.waitFor(
    () => {
      const stats = client.lastStats;
      expect(stats?.framesIn).toBe(count);
      expect((stats?.framesOut ?? 0) + (stats?.droppedIn ?? 0) + (stats?.droppedOut ?? 0)).toBe(count);
      expect(stats?.rejected).toBe(0);
      expect(client.frames.length).toBe(stats?.framesOut);
      return stats as NonNullable<typeof stats>;
    },
    { timeout: 30_000, interval: 100 },
  );
}

function expectIncreasing(client: LiveClient) {
  const seqs = client.frames.map((f) => f.header.seq);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1] as number);
}

async function expectSize(image: Buffer, width: number, height: number) {
  const meta = await sharp(image).metadata();
  expect([meta.width, meta.height]).toEqual([width, height]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-live-e2e-'));
  const modelsDir = path.join(dir, 'models');
  const { catalogFile } = await installFixtureModels(modelsDir, {
    arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
    inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
    ...LP_FIXTURE_SPECS,
  });
  testEnv = await createTestEnv('live', {
    BETTER_AUTH_SECRET: SECRET,
    VISAGE_MODELS_DIR: modelsDir,
    VISAGE_MODEL_CATALOG: catalogFile,
    VISAGE_LIVE_SLOTS: '4',
  });
  frames = await astronautCameraFrames({ count: 30, width: WIDTH, height: HEIGHT });
  web = await startNext(testEnv.env);
  workerA = startWorkerProcess({ ...testEnv.env, VISAGE_WORKER_ID: 'live-a' });
  // Worker B serves only the test plugin: the model sessions all land on A, whose memory is measured.
  workerB = startWorkerProcess({ ...testEnv.env, VISAGE_WORKER_ID: 'live-b', VISAGE_PLUGINS: 'test' });
  const [, , listeningB] = await Promise.all([
    waitUntilReady(web),
    waitForLog(workerA, 'worker ready', { timeoutMs: 90_000 }),
    waitForLog(workerB, 'live endpoint listening', { timeoutMs: 90_000 }),
  ]);
  await waitForLog(workerB, 'worker ready');
  workerBUrl = `${listeningB.url as string}/api/live`;
  alice = await signUp(web.base, 'alice@example.com');
  await trpc(alice).system.setSignupOpen.mutate({ open: true }); // the first user is the admin
  bob = await signUp(web.base, 'bob@example.com');
  const key = await trpc(alice).apiKeys.create.mutate({ name: 'live' });
  portraitId = (await createVisageClient({ url: web.base, apiKey: key.key }).upload(ASTRONAUT)).id;
}, 240_000);

afterAll(async () => {
  await Promise.all([killWorker(workerA), killWorker(workerB)]);
  await stopNext(web);
  await testEnv?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('live sessions through the web server', () => {
  it('should list the live modes with the workers that serve them', async () => {
    const modes = await trpc(alice).live.modes.query();
    const byId = Object.fromEntries(modes.map((m) => [m.id, m]));
    expect(byId.faceswap).toMatchObject({ workers: 1, freeSlots: 4, assetFields: ['source'] });
    expect(byId.test).toMatchObject({ workers: 2, freeSlots: 8 });
  });

  it('should swap the face of 30 fps camera frames, in order, with drops counted and memory flat', async () => {
    const options = { source: [portraitId] };
    // A first session loads the models (they stay loaded, unpinned, for the next one).
    const warmUp = await startSession(alice, 'faceswap', options);
    await stream(warmUp.client, 15);
    await warmUp.client.close();
    await vi.waitFor(() => expect(workerA.logs.some((l) => l.msg === 'live session ended')).toBe(true), WAIT);
    const before = await rss(workerA.child.pid as number);

    const { client, ticket } = await startSession(alice, 'faceswap', options);
    expect(ticket.workerId).toBe('live-a');
    expect(client.ready?.providers).toMatchObject({ inswapper_128: 'cpu', arcface_w600k_r50: 'cpu' });
    expect(client.ready?.cpuFallback).toEqual([]); // a cpu worker: the CPU is all it has
    const sent = 90;
    const stats = await stream(client, sent);
    expectIncreasing(client);
    const returned = client.frames;
    expect(returned.length).toBeGreaterThan(0);
    for (const frame of [returned[0], returned.at(-1)])
      await expectSize((frame as { image: Buffer }).image, WIDTH, HEIGHT);
    // The face was swapped: some 40-px blocks changed a lot, most of the picture only by JPEG noise.
    const last = returned.at(-1) as (typeof returned)[number];
    const input = await sharp(frames[(last.header.seq - 1) % frames.length])
      .raw()
      .toBuffer();
    const output = await sharp(last.image).raw().toBuffer();
    const blockDiffs: number[] = [];
    for (let by = 0; by < HEIGHT; by += 40)
      for (let bx = 0; bx < WIDTH; bx += 40) {
        let sum = 0;
        for (let y = by; y < by + 40; y++)
          for (let i = (y * WIDTH + bx) * 3; i < (y * WIDTH + bx + 40) * 3; i++)
            sum += Math.abs((input[i] as number) - (output[i] as number));
        blockDiffs.push(sum / (40 * 40 * 3));
      }
    blockDiffs.sort((x, y) => x - y);
    expect(blockDiffs.at(-1)).toBeGreaterThan(15);
    expect(blockDiffs[Math.floor(blockDiffs.length / 2)]).toBeLessThan(3);
    expect(stats.stagesMs.process).toBeGreaterThan(0);
    const latency = stats.workerLatencyMs;
    await client.close();
    await vi.waitFor(
      () => expect(workerA.logs.filter((l) => l.msg === 'live session ended').length).toBe(2),
      WAIT,
    );
    const after = await rss(workerA.child.pid as number);
    console.log(
      `live face swap: sent ${sent}, returned ${returned.length}, replaced while busy ${stats.droppedIn}, ` +
        `dropped for a slow reader ${stats.droppedOut}; worker latency p50 ${latency?.p50.toFixed(0)} ms; ` +
        `worker RSS ${(before / MIB).toFixed(0)} → ${(after / MIB).toFixed(0)} MiB`,
    );
    expect(after - before).toBeLessThan(64 * MIB);
  }, 180_000);

  it('should save a recording of the processed stream to the gallery, with how it was made', async () => {
    const { client } = await startSession(alice, 'faceswap', { source: [portraitId] });
    client.send({ type: 'record', action: 'start' });
    await vi.waitFor(() => expect(client.ofType('recording')).toHaveLength(1), WAIT);
    await stream(client, 60); // two seconds of camera
    client.send({ type: 'record', action: 'stop' });
    const recorded = await vi.waitFor(
      () => {
        const [message] = client.ofType('recorded');
        expect(message).toBeDefined();
        return message as NonNullable<typeof message>;
      },
      { timeout: 30_000 },
    );
    await client.close();
    const asset = await trpc(alice).assets.get.query({ id: recorded.assetId });
    expect(asset).toMatchObject({ kind: 'output', mime: 'video/mp4', width: WIDTH, height: HEIGHT });
    // The file lasts as long as the recording ran (frames repeated to keep the wall clock's time).
    expect(asset.durationMs).toBeGreaterThan(1500);
    expect(asset.durationMs).toBeLessThan(6000);
    expect(asset.metadata).toMatchObject({
      live: {
        plugin: 'faceswap',
        device: 'cpu',
        workerId: 'live-a',
        providers: { inswapper_128: 'cpu' },
        durationMs: recorded.durationMs,
      },
    });
  }, 120_000);

  it('should animate the portrait with the camera, frame by frame at the portrait size', async () => {
    const { client } = await startSession(alice, 'liveportrait', { source: portraitId });
    expect(client.ready?.providers).toHaveProperty('liveportrait_warping_spade', 'cpu');
    const stats = await stream(client, 45);
    expectIncreasing(client);
    expect(client.frames.length).toBeGreaterThan(0);
    const { width, height } = await sharp(ASTRONAUT).metadata();
    await expectSize((client.frames.at(-1) as { image: Buffer }).image, width as number, height as number);
    console.log(
      `live portrait: sent 45, returned ${stats.framesOut}, replaced while busy ${stats.droppedIn}; ` +
        `process ${stats.stagesMs.process} ms per frame`,
    );
    await client.close();
  }, 180_000);

  it('should send a frame the processor left alone back as the bytes it came in, and re-encode a changed one', async () => {
    const sent = new Set(frames.map((f) => f.toString('base64')));
    for (const mirror of [false, true]) {
      const { client } = await startSession(alice, 'test', { mirror });
      await stream(client, 6, 15);
      expect(client.frames.length).toBeGreaterThan(0);
      for (const frame of client.frames) {
        // Unchanged: exactly a camera frame's JPEG (no second compression); mirrored: a new JPEG.
        expect(sent.has(frame.image.toString('base64'))).toBe(!mirror);
      }
      await client.close();
    }
  });

  it('should drop frames for a client that never reads instead of buffering them', async () => {
    // Pictures of noise: JPEG cannot shrink them, so what piles up unread soon exceeds every socket
    // buffer between the worker and the client (about 20 MB through the web server).
    const { client, ticket } = await startSession(alice, 'test', {});
    const worker = ticket.workerId === 'live-a' ? workerA : workerB;
    // The output view of the same session reads on, and shows when the worker has done the last frame.
    const watch = await trpc(alice).live.watch.mutate();
    const viewer = await LiveClient.connect(wsBase() + (watch as { path: string }).path);
    viewer.keepImages = false;
    const noise = await Promise.all(
      [1, 2, 3].map((i) =>
        sharp(randomBytes(WIDTH * HEIGHT * 3), { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
          .jpeg({ quality: 90 + i })
          .toBuffer(),
      ),
    );
    const before = await rss(worker.child.pid as number);
    client.ws.pause(); // stop reading: the worker's output for it piles up unless dropped
    const count = 400;
    await client.sendPaced(noise, count, 60);
    await vi.waitFor(
      () =>
        expect(
          viewer.frames.at(-1)?.header.seq,
          `the viewer has ${viewer.frames.length} frames; warnings ${JSON.stringify(client.ofType('warning'))}`,
        ).toBe(count),
      {
        timeout: 60_000,
        interval: 50,
      },
    );
    const during = await rss(worker.child.pid as number);
    client.ws.resume();
    const stats = await vi.waitFor(
      () => {
        const s = client.lastStats;
        expect(s?.framesIn).toBe(count);
        expect((s?.framesOut ?? 0) + (s?.droppedIn ?? 0) + (s?.droppedOut ?? 0)).toBe(count);
        expect(s?.rejected).toBe(0);
        return s as NonNullable<typeof s>;
      },
      { timeout: 30_000, interval: 100 },
    );
    const processed = count - stats.droppedIn;
    console.log(
      `never-reading client: ${count} frames of ${((noise[0] as Buffer).length / 1024).toFixed(0)} kB at 60 fps; processed ${processed}, ` +
        `not sent ${stats.droppedOut} (unread output would have been ${((processed * (noise[0] as Buffer).length) / MIB).toFixed(0)} MiB); ` +
        `worker RSS ${(before / MIB).toFixed(0)} → ${(during / MIB).toFixed(0)} MiB`,
    );
    expect(stats.droppedOut).toBeGreaterThan(0);
    expect(during - before).toBeLessThan(64 * MIB);
    await client.close();
    expect(await viewer.closed).toMatchObject({ code: LIVE_CLOSE.sessionEnded });
  }, 120_000);
});

describe('live socket admission', () => {
  const claims = (overrides: Partial<Parameters<typeof signLiveTicket>[1]> = {}) => ({
    kind: 'session' as const,
    userId: alice.userId,
    workerId: 'live-a',
    plugin: 'test',
    options: { mirror: false, delayMs: 0 },
    ...overrides,
  });
  const closeOf = async (url: string) => (await LiveClient.connect(url)).closed;
  const viaWeb = (token: string) => `${wsBase()}/api/live?ticket=${encodeURIComponent(token)}`;

  it('should refuse a socket without a ticket', async () => {
    expect(await closeOf(`${wsBase()}/api/live`)).toMatchObject({ code: LIVE_CLOSE.ticketMissing });
  });

  it('should refuse a forged ticket and an expired one', async () => {
    const forged = await signLiveTicket('someone-elses-secret-0123456789-0123456789', claims());
    expect(await closeOf(viaWeb(forged.token))).toMatchObject({ code: LIVE_CLOSE.ticketInvalid });
    const expired = await signLiveTicket(SECRET, claims(), -5);
    expect(await closeOf(viaWeb(expired.token))).toMatchObject({ code: LIVE_CLOSE.ticketExpired });
    // Straight to the worker, past the web server's check, the worker refuses them too.
    expect(await closeOf(`${workerBUrl}?ticket=${forged.token}`)).toMatchObject({
      code: LIVE_CLOSE.ticketInvalid,
    });
  });

  it('should open a socket once per ticket', async () => {
    const ticket = await trpc(alice).live.start.mutate({ plugin: 'test', options: {} });
    const first = await LiveClient.connect(wsBase() + ticket.path);
    expect(await closeOf(wsBase() + ticket.path)).toMatchObject({ code: LIVE_CLOSE.ticketReplayed });
    first.hello({ plugin: 'test', options: ticket.options, width: WIDTH, height: HEIGHT });
    await first.whenReady();
    await first.close();
  });

  it("should refuse another user's assets, at the API and on the worker", async () => {
    await expect(
      trpc(bob).live.start.mutate({ plugin: 'faceswap', options: { source: [portraitId] } }),
    ).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    // A validly signed ticket naming them still gets nothing from the worker.
    const options = { image: portraitId, mirror: false, delayMs: 0 };
    const { token } = await signLiveTicket(SECRET, claims({ userId: bob.userId, options }));
    const client = await LiveClient.connect(viaWeb(token));
    client.hello({ plugin: 'test', options, width: WIDTH, height: HEIGHT });
    expect(await client.closed).toMatchObject({ code: LIVE_CLOSE.assetNotFound });
  });

  it('should refuse a ticket on another worker than the one it names, or a worker that is gone', async () => {
    const { token } = await signLiveTicket(SECRET, claims({ workerId: 'live-a' }));
    expect(await closeOf(`${workerBUrl}?ticket=${token}`)).toMatchObject({ code: LIVE_CLOSE.wrongWorker });
    const gone = await signLiveTicket(SECRET, claims({ workerId: 'no-such-worker' }));
    expect(await closeOf(viaWeb(gone.token))).toMatchObject({ code: LIVE_CLOSE.goingAway });
  });

  it('should say which model is missing, in full, and keep the worker running', async () => {
    const ticket = await trpc(alice).live.start.mutate({
      plugin: 'faceswap',
      options: { source: [portraitId], restore: 'gfpgan_1.4' },
    });
    const client = await LiveClient.connect(wsBase() + ticket.path);
    client.hello({ plugin: 'faceswap', options: ticket.options, width: WIDTH, height: HEIGHT });
    const closed = await client.closed;
    expect(closed.code).toBe(LIVE_CLOSE.input);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    const [ended] = client.ofType('ended');
    expect(ended?.message).toContain('gfpgan_1.4');
    expect(ended?.message).toContain('pnpm visage models pull');
    expect(workerA.child.exitCode).toBeNull();
  });

  it('should refuse a hello that asks for other options than the ticket', async () => {
    const ticket = await trpc(alice).live.start.mutate({ plugin: 'test', options: {} });
    const client = await LiveClient.connect(wsBase() + ticket.path);
    client.hello({
      plugin: 'test',
      options: { ...ticket.options, mirror: true },
      width: WIDTH,
      height: HEIGHT,
    });
    expect(await client.closed).toMatchObject({ code: LIVE_CLOSE.protocol });
  });

  it('should limit the sessions a user has open at once', async () => {
    // Three tickets while none is open; the third socket finds the limit (2) reached.
    const tickets = await Promise.all(
      [1, 2, 3].map(() => trpc(bob).live.start.mutate({ plugin: 'test', options: {} })),
    );
    const open: LiveClient[] = [];
    for (const ticket of tickets.slice(0, 2)) {
      const client = await LiveClient.connect(wsBase() + ticket.path);
      client.hello({ plugin: 'test', options: ticket.options, width: WIDTH, height: HEIGHT });
      await client.whenReady();
      open.push(client);
    }
    expect(await closeOf(wsBase() + (tickets[2] as { path: string }).path)).toMatchObject({
      code: LIVE_CLOSE.tooManySessions,
    });
    await expect(trpc(bob).live.start.mutate({ plugin: 'test', options: {} })).rejects.toMatchObject({
      data: { code: 'TOO_MANY_REQUESTS' },
    });
    for (const client of open) await client.close();
    // Closing frees the slots at once (no wait for an expiry).
    await vi.waitFor(
      () => expect(trpc(bob).live.start.mutate({ plugin: 'test', options: {} })).resolves.toBeDefined(),
      WAIT,
    );
  });
});
