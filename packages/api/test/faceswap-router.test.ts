// faceswap.targetFaces against real Postgres and Redis: who may ask about an asset, what a caller
// hears with no worker, and the answer of a stand-in worker consuming the faces queue (BullMQ), its
// refusals, failures and silence. The real worker's side is tested in the browser test
// (apps/web/test/ui/face-map.e2e.test.ts).
import { randomUUID } from 'node:crypto';
import {
  TARGET_FACES_QUEUE,
  type TargetFacesAnswer,
  type TargetFacesRequest,
  type TargetFacesResult,
} from '@visage/db/jobs';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NO_FACES_WORKER_MESSAGE } from '../src/target-faces.ts';
import { type FakeWorker, startFakeWorker } from './fake-worker.ts';
import { createTestApi } from './support.ts';

const TIMEOUT_MS = 1500;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let api: Awaited<ReturnType<typeof createTestApi>>;
let alice: Awaited<ReturnType<typeof api.callerFor>>;
let bob: Awaited<ReturnType<typeof api.callerFor>>;
let aliceId: string;
let image: string;
let queue: Queue;
const stoppers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  api = await createTestApi({ plugins: ['test', 'faceswap'], targetFacesTimeoutMs: TIMEOUT_MS });
  aliceId = (await api.signUp('alice@example.com')).body.user?.id ?? '';
  await api.services.db.appSetting.create({ data: { key: 'signupOpen', value: true } });
  const bobId = (await api.signUp('bob@example.com')).body.user?.id ?? '';
  alice = await api.callerFor(aliceId);
  bob = await api.callerFor(bobId);
  image = (
    await api.services.db.asset.create({
      data: {
        ownerId: aliceId,
        kind: 'upload',
        mime: 'image/png',
        bytes: 10n,
        sha256: randomUUID(),
        storageKey: `aa/${randomUUID()}.png`,
      },
    })
  ).id;
  queue = new Queue(TARGET_FACES_QUEUE, { connection: api.services.redis, prefix: api.prefix });
});

afterEach(async () => {
  for (const stop of stoppers.splice(0)) await stop();
});

afterAll(async () => {
  await queue?.close();
  await api?.close();
});

/** A worker with face swap as the web app sees it (its model state), consuming nothing yet. */
async function presentWorker(plugins = ['faceswap']): Promise<FakeWorker> {
  const worker = await startFakeWorker(api.prefix, { workerId: `w-${randomUUID()}`, plugins, models: [] });
  stoppers.push(() => worker.stop());
  return worker;
}

/** A stand-in consumer of the faces queue answering with `answer`. */
async function consume(
  answer: (request: TargetFacesRequest) => TargetFacesAnswer | Promise<TargetFacesAnswer>,
) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const received: TargetFacesRequest[] = [];
  const worker = new Worker<TargetFacesRequest, TargetFacesAnswer>(
    TARGET_FACES_QUEUE,
    async (job) => {
      received.push(job.data);
      return answer(job.data);
    },
    { connection, prefix: api.prefix },
  );
  await worker.waitUntilReady();
  stoppers.push(async () => {
    await worker.close();
    await connection.quit();
  });
  return received;
}

const waitingRequests = async () => (await queue.getJobCounts('waiting')).waiting;

const RESULT: TargetFacesResult = {
  width: 1024,
  height: 512,
  frame: null,
  frameCount: null,
  fps: null,
  faces: [
    { box: [177, 84, 272, 180], score: 0.91, thumbnail: '/9j/AAAA' },
    { box: [689, 84, 784, 180], score: 0.9, thumbnail: '/9j/BBBB' },
  ],
};

describe('faceswap.targetFaces', () => {
  it("should hide another user's asset and an unknown one, and refuse a malformed id", async () => {
    await presentWorker();
    await consume(() => ({ ok: true, result: RESULT }));
    await expect(bob.faceswap.targetFaces({ asset: image })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Asset ${image} not found`,
    });
    const unknown = randomUUID();
    await expect(alice.faceswap.targetFaces({ asset: unknown })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Asset ${unknown} not found`,
    });
    await expect(alice.faceswap.targetFaces({ asset: 'not-a-uuid' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(alice.faceswap.targetFaces({ asset: image, frame: -1 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('should say that no worker runs when none serves face swap, without queueing a request', async () => {
    await expect(alice.faceswap.targetFaces({ asset: image })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: NO_FACES_WORKER_MESSAGE,
    });
    await presentWorker(['test']); // a worker, but not one with face swap
    await expect(alice.faceswap.targetFaces({ asset: image })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: NO_FACES_WORKER_MESSAGE,
    });
    expect(NO_FACES_WORKER_MESSAGE).toMatch(/^No worker is running to find the faces; start one/);
    expect(await waitingRequests()).toBe(0);
  });

  it("should return the worker's faces with the thumbnails as JPEG data URLs", async () => {
    await presentWorker();
    const received = await consume(() => ({ ok: true, result: RESULT }));
    const found = await alice.faceswap.targetFaces({ asset: image, frame: 3 });
    expect(received).toEqual([{ assetId: image, frame: 3 }]);
    expect(found).toEqual({
      ...RESULT,
      faces: [
        { box: [177, 84, 272, 180], score: 0.91, thumbnail: 'data:image/jpeg;base64,/9j/AAAA' },
        { box: [689, 84, 784, 180], score: 0.9, thumbnail: 'data:image/jpeg;base64,/9j/BBBB' },
      ],
    });
    await alice.faceswap.targetFaces({ asset: image });
    expect(received[1]).toEqual({ assetId: image, frame: null });
  });

  it("should pass on the worker's refusal as a bad request and its failure as an error", async () => {
    await presentWorker();
    let fail = false;
    await consume((request) => {
      if (fail) throw new Error('the detector broke');
      return {
        ok: false,
        message: `Frame ${request.frame} is past the end of "clip.mp4" (12 frames: 0 to 11)`,
      };
    });
    await expect(alice.faceswap.targetFaces({ asset: image, frame: 12 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Frame 12 is past the end of "clip.mp4" (12 frames: 0 to 11)',
    });
    fail = true;
    await expect(alice.faceswap.targetFaces({ asset: image })).rejects.toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'Finding the faces failed: the detector broke',
    });
  });

  it('should time out with a clear message when no worker takes the request, and withdraw it', async () => {
    await presentWorker(); // announced, but nothing consumes the queue
    const started = Date.now();
    await expect(alice.faceswap.targetFaces({ asset: image })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message:
        'No worker took the request to find the faces within 1.5 s; check that a worker with face swap is running',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(await waitingRequests()).toBe(0);
  });

  it('should time out when the worker takes longer than the deadline', async () => {
    await presentWorker();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await consume(async () => {
      await held;
      return { ok: true, result: RESULT };
    });
    await expect(alice.faceswap.targetFaces({ asset: image })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: 'Finding the faces took longer than 1.5 s; try again (the worker may be busy)',
    });
    release();
  });
});
