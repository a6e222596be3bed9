// The worker's side of the studio's face requests (face mapping): requests on the real faces queue
// (BullMQ over Redis) answered with the bundled BlazeFace on the astronaut photo; bad input comes
// back as a refusal, other failures fail the request. The web side: packages/api/test/faceswap-router.test.ts.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '@visage/db';
import {
  TARGET_FACES_QUEUE,
  type TargetFacesAnswer,
  type TargetFacesRequest,
  targetFacesQueueJob,
} from '@visage/db/jobs';
import { MediaStore } from '@visage/db/media';
import { deleteRedisKeys, testRedisPrefix } from '@visage/db/testing';
import { ModelManager, ModelStore } from '@visage/inference';
import { modelCatalog } from '@visage/plugins';
import { ASTRONAUT } from '@visage/plugins/testing';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTargetFacesWorker } from '../src/target-faces.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const log = pino({ level: 'silent' });
const PHOTO = '0190c5a0-0000-7000-8000-00000000f001';
const BROKEN = '0190c5a0-0000-7000-8000-00000000f002';
const TEXT = '0190c5a0-0000-7000-8000-00000000f003';

let dir: string;
let prefix: string;
let redis: Redis;
let eventsRedis: Redis;
let models: ModelManager;
let queue: Queue<TargetFacesRequest, TargetFacesAnswer>;
let events: QueueEvents;
let worker: ReturnType<typeof startTargetFacesWorker>;

/** Asset rows as the worker reads them: only `findUnique` by id is used. */
const rows: Record<string, { id: string; originalName: string; mime: string; storageKey: string }> = {
  [PHOTO]: { id: PHOTO, originalName: 'astronaut.png', mime: 'image/png', storageKey: 'aa/photo.png' },
  [BROKEN]: { id: BROKEN, originalName: 'broken.png', mime: 'image/png', storageKey: 'aa/broken.png' },
  [TEXT]: { id: TEXT, originalName: 'notes.txt', mime: 'text/plain', storageKey: 'aa/photo.png' },
};
const db = {
  asset: {
    findUnique: async ({ where }: { where: { id: string } }) => {
      const row = rows[where.id];
      return row ? { width: null, height: null, durationMs: null, fps: null, hasAudio: null, ...row } : null;
    },
  },
} as unknown as Db;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-worker-faces-'));
  const mediaDir = path.join(dir, 'media');
  await mkdir(path.join(mediaDir, 'aa'), { recursive: true });
  await copyFile(ASTRONAUT, path.join(mediaDir, 'aa/photo.png'));
  const store = new ModelStore(path.join(dir, 'models'), modelCatalog());
  models = new ModelManager({
    budgetBytes: 2 ** 30,
    providers: ['cpu'],
    log,
    locator: { locate: (id) => store.locate(id, 'fp32') },
  });
  prefix = testRedisPrefix();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  eventsRedis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  worker = startTargetFacesWorker(
    { db, media: new MediaStore(mediaDir), models, log },
    { connection: redis, prefix },
  );
  queue = new Queue(TARGET_FACES_QUEUE, { connection: redis, prefix });
  events = new QueueEvents(TARGET_FACES_QUEUE, { connection: eventsRedis, prefix });
  await events.waitUntilReady();
});

afterAll(async () => {
  await worker?.close();
  await events?.close();
  await queue?.close();
  await models?.unloadAll();
  if (redis) await deleteRedisKeys(redis, prefix);
  await Promise.all([redis?.quit(), eventsRedis?.quit()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function ask(request: TargetFacesRequest): Promise<TargetFacesAnswer> {
  const { name, data, opts } = targetFacesQueueJob(request);
  const job = await queue.add(name, data, opts);
  return job.waitUntilFinished(events, 30_000);
}

describe('the faces queue on a worker', () => {
  it('should answer with the faces of a photo, thumbnails as base64 JPEG', async () => {
    const answer = await ask({ assetId: PHOTO, frame: null });
    if (!answer.ok) throw new Error(`refused: ${answer.message}`);
    expect(answer.result).toMatchObject({ width: 512, height: 512, frame: null, frameCount: null });
    expect(answer.result.faces).toHaveLength(1);
    const [face] = answer.result.faces;
    // The face measured on the photo by eye spans x 182–270, y 83–183 (blazeface.test.ts).
    expect(Math.abs((face?.box[0] ?? 0) - 182)).toBeLessThan(25);
    expect(Math.abs((face?.box[2] ?? 0) - 270)).toBeLessThan(25);
    const thumbnail = Buffer.from(face?.thumbnail ?? '', 'base64');
    const meta = await sharp(thumbnail).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 112, 112]);
  });

  it('should refuse an unknown asset, a file that is no picture and a frame of an image', async () => {
    expect(await ask({ assetId: BROKEN.replace('f002', 'ffff'), frame: null })).toEqual({
      ok: false,
      message: 'Asset 0190c5a0-0000-7000-8000-00000000ffff not found',
    });
    expect(await ask({ assetId: TEXT, frame: null })).toEqual({
      ok: false,
      message: 'The target "notes.txt" must be an image or a video (it is text/plain)',
    });
    expect(await ask({ assetId: PHOTO, frame: 4 })).toEqual({
      ok: false,
      message: 'The target "astronaut.png" is an image: it has no frame 4',
    });
    const missing = await ask({ assetId: BROKEN, frame: null });
    expect(missing.ok).toBe(false);
    expect(missing.ok ? '' : missing.message).toMatch(
      /^The target image "broken.png" is not a readable image: /,
    );
  });
});
