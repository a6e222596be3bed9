// Live mode's transport against its processing: a real worker process serves two sessions over
// loopback WebSockets, one with the test plugin's identity processor (what the socket, JPEG decode
// and encode cost) and one with the face swap processor (fixture models with the real I/O, the real
// BlazeFace), side by side in one run. Each streams 640×480 camera frames of the astronaut photo
// paced at 30 fps for the round trip (p50/p95, sustained fps), then closed-loop (the next frame
// sent when the last returns) for the highest rate the worker sustains.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '@visage/db';
import { signLiveTicket } from '@visage/db/live';
import { LiveClient } from '@visage/db/live/client';
import { createAsset, MediaStore } from '@visage/db/media';
import { createTestDatabase, deleteRedisKeys, testRedisPrefix } from '@visage/db/testing';
import type { BenchResult } from '@visage/inference/bench';
import {
  ASTRONAUT,
  astronautCameraFrames,
  FACESWAP_FIXTURE_SPECS,
  installFixtureModels,
} from '@visage/plugins/testing';
import { Redis } from 'ioredis';
import { percentiles } from '../src/live/stats.ts';

const SECRET = 'bench-live-secret-0123456789-0123456789';
const PACED_FRAMES = 300; // 10 s at 30 fps
const CLOSED_LOOP_MS = 5_000;
const WIDTH = 640;
const HEIGHT = 480;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const workerDir = path.resolve(import.meta.dirname, '..');

interface Scenario {
  p50: number;
  p95: number;
  pacedFps: number;
  maxFps: number;
  processMs: number;
  codecMs: number;
  dropped: number;
}

function startWorker(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: workerDir,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /"url":"(ws:[^"]+)"[^\n]*"msg":"live endpoint listening"/.exec(out);
      if (match?.[1]) resolve({ child, url: `${match[1]}/api/live` });
    });
    child.on('exit', (code) =>
      reject(new Error(`the worker exited (${code}) before its live endpoint listened:\n${out}`)),
    );
  });
}

async function measure(
  url: string,
  userId: string,
  plugin: string,
  options: Record<string, unknown>,
  frames: Buffer[],
): Promise<Scenario> {
  const { token } = await signLiveTicket(SECRET, {
    kind: 'session',
    userId,
    workerId: 'bench',
    plugin,
    options,
  });
  const client = await LiveClient.connect(`${url}?ticket=${token}`);
  client.keepImages = false;
  client.hello({ plugin, options, width: WIDTH, height: HEIGHT });
  await client.whenReady();
  const send = (i: number) => client.sendFrame(frames[i % frames.length] as Buffer);
  // Warm-up, then paced like a camera.
  for (let i = 0; i < 15; i++) send(i);
  await client.frameWhere((c) => c.frames.length > 0);
  const pacedFrom = client.frames.length;
  const started = performance.now();
  const lastSeq = await client.sendPaced(frames, PACED_FRAMES, 30);
  await client.frameWhere((c) => (c.frames.at(-1)?.header.seq ?? 0) >= lastSeq);
  const paced = client.frames.slice(pacedFrom);
  const rtts = percentiles(paced.map((f) => f.receivedAt - f.header.captureMs));
  const pacedFps = paced.length / ((performance.now() - started) / 1000);
  const stats = client.lastStats;
  // Closed loop: the next frame leaves when the last one is back.
  const loopFrom = client.frames.length;
  const loopStart = performance.now();
  let i = 0;
  while (performance.now() - loopStart < CLOSED_LOOP_MS) {
    const expected = client.frames.length + 1;
    send(i++);
    await client.frameWhere((c) => c.frames.length >= expected);
  }
  const maxFps = (client.frames.length - loopFrom) / ((performance.now() - loopStart) / 1000);
  await client.close();
  return {
    p50: rtts?.p50 ?? NaN,
    p95: rtts?.p95 ?? NaN,
    pacedFps,
    maxFps,
    processMs: stats?.stagesMs.process ?? NaN,
    codecMs: (stats?.stagesMs.decode ?? NaN) + (stats?.stagesMs.encode ?? NaN),
    dropped: (stats?.droppedIn ?? 0) + (stats?.droppedOut ?? 0),
  };
}

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-bench-live-'));
  const database = await createTestDatabase({ label: 'bench-live' });
  const prefix = testRedisPrefix();
  const db = createDb({ url: database.url, applicationName: 'visage-bench-live' });
  let worker: ChildProcess | undefined;
  try {
    const mediaDir = path.join(dir, 'media');
    const modelsDir = path.join(dir, 'models');
    const { catalogFile } = await installFixtureModels(modelsDir, {
      arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
      inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
    });
    const user = await db.user.create({
      data: { id: 'bench-user', name: 'Bench', email: 'bench@example.com' },
    });
    const media = new MediaStore(mediaDir);
    const source = await createAsset(db, await media.ingestFile(ASTRONAUT), {
      ownerId: user.id,
      kind: 'upload',
    });
    const started = await startWorker({
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      VISAGE_MEDIA_DIR: mediaDir,
      VISAGE_MODELS_DIR: modelsDir,
      VISAGE_MODEL_CATALOG: catalogFile,
      VISAGE_ENABLE_TEST_PLUGIN: '1',
      VISAGE_WORKER_ID: 'bench',
      VISAGE_LIVE_PORT: '0',
      VISAGE_LIVE_SLOTS: '2',
      BETTER_AUTH_SECRET: SECRET,
    });
    worker = started.child;
    const frames = await astronautCameraFrames({ count: 30, width: WIDTH, height: HEIGHT });
    const identity = await measure(started.url, user.id, 'test', { mirror: false, delayMs: 0 }, frames);
    const swap = await measure(started.url, user.id, 'faceswap', { source: [source.id] }, frames);
    const round = (v: number) => Math.round(v * 10) / 10;
    const metrics: Record<string, number> = {};
    for (const [name, s] of Object.entries({ identity, faceswap: swap }))
      for (const [key, value] of Object.entries(s)) metrics[`${name}_${key}`] = round(value);
    metrics.faceswap_vs_identity_p50 = round(swap.p50 / identity.p50);
    return {
      name: 'live',
      metrics,
      key: ['identity_p95', 'faceswap_p95', 'faceswap_vs_identity_p50'],
      summary:
        `identity: round trip p50 ${round(identity.p50)} ms, p95 ${round(identity.p95)} ms at ${round(identity.pacedFps)} fps ` +
        `(max ${round(identity.maxFps)} fps; JPEG decode+encode ${round(identity.codecMs)} ms); ` +
        `face swap: p50 ${round(swap.p50)} ms, p95 ${round(swap.p95)} ms at ${round(swap.pacedFps)} fps ` +
        `(max ${round(swap.maxFps)} fps; processing ${round(swap.processMs)} ms; ${swap.dropped} stale frames dropped) — ` +
        `×${metrics.faceswap_vs_identity_p50} the identity round trip`,
    };
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker?.once('exit', r));
    }
    await db.$disconnect();
    const redis = new Redis(redisUrl);
    await deleteRedisKeys(redis, prefix);
    await redis.quit();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}
