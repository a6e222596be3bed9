// Bad input through the whole platform (docs/reliability.md §6): part of the bad-input corpus through
// POST /api/upload (4xx JSON naming the problem, no Asset row or file left), hostile file names and
// Content-Types, an upload cut off at the size limit, and the job-level cases on the real plugins
// with fixture models and the real BlazeFace: two faces, no face, a driving video over the limit and
// an EXIF-rotated photo. After each, the worker is still up and nothing else changed.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createVisageClient, type VisageClient } from '@visage/api/client';
import { createDb, type Db } from '@visage/db';
import { MediaError } from '@visage/db/media';
import { BAD_INPUT_CORPUS, type CorpusCase } from '@visage/db/media/bad-input-corpus';
import {
  ASTRONAUT,
  FACESWAP_FIXTURE_SPECS,
  installFixtureModels,
  LP_FIXTURE_SPECS,
  writeAstronautClip,
} from '@visage/plugins/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUp, trpcWith } from './support/http.ts';
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

let dir: string;
let testEnv: TestEnv;
let server: NextServer;
let worker: WorkerProcess;
let db: Db;
let client: VisageClient;
let apiKey: string;
let portraitId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-bad-input-e2e-'));
  const modelsDir = path.join(dir, 'models');
  const { catalogFile } = await installFixtureModels(modelsDir, {
    arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
    inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
    ...LP_FIXTURE_SPECS,
  });
  // The corpus's limits (CORPUS_LIMITS): 1 MB images, 4 MB videos; driving videos up to 1 s.
  testEnv = await createTestEnv('badinput', {
    VISAGE_MAX_IMAGE_MB: '1',
    VISAGE_MAX_VIDEO_MB: '4',
    VISAGE_MAX_DRIVING_SECONDS: '1',
    VISAGE_MODELS_DIR: modelsDir,
    VISAGE_MODEL_CATALOG: catalogFile,
  });
  server = await startNext(testEnv.env);
  worker = startWorkerProcess(testEnv.env);
  await Promise.all([waitUntilReady(server), waitForLog(worker, 'worker ready', { timeoutMs: 60_000 })]);
  db = createDb({ url: testEnv.env.DATABASE_URL ?? '', maxConnections: 1 });
  const admin = await signUp(server.base, 'bea@example.com');
  apiKey = (await trpcWith(server.base, { cookie: admin.cookie }).apiKeys.create.mutate({ name: 'bad' })).key;
  client = createVisageClient({ url: server.base, apiKey });
  portraitId = (await client.upload(ASTRONAUT)).id;
}, 180_000);

afterAll(async () => {
  await db?.$disconnect();
  await killWorker(worker);
  await stopNext(server);
  await testEnv?.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Asset rows and stored files (job previews left out: a job may write one while it runs). */
async function snapshot(): Promise<{ assets: number; files: string[] }> {
  const assets = await db.asset.count();
  const entries = await readdir(testEnv.mediaDir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(testEnv.mediaDir, path.join(e.parentPath, e.name)))
    .filter((f) => !f.startsWith('previews'))
    .sort();
  return { assets, files };
}

async function upload(
  name: string | null,
  body: Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  const url = new URL('/api/upload', server.base);
  if (name !== null) url.searchParams.set('name', name);
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/octet-stream', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const corpusCase = (id: string): CorpusCase => {
  const found = BAD_INPUT_CORPUS.find((c) => c.id === id);
  if (!found) throw new Error(`no corpus case "${id}"`);
  return found;
};

/** The worker process has not exited (a bad file must not take it down). */
const expectWorkerUp = () => expect(worker.child.exitCode, worker.stderr.join('')).toBeNull();

describe('POST /api/upload with bad files', () => {
  it.each([
    'zero-byte',
    'html-named-png',
    'svg-with-script',
    'elf-executable',
    'truncated-png',
    'png-decompression-bomb',
    'animated-webp',
    'truncated-mp4-faststart',
    'mp4-broken-moov',
    'mp4-zero-frames',
  ])('%s: a 4xx naming the problem, nothing stored', async (id) => {
    const testCase = corpusCase(id);
    if (!('refused' in testCase.outcome)) throw new Error(`${id} is not a refused case`);
    const bytes = await testCase.build(await mkdtemp(path.join(dir, `${id}-`)));
    const before = await snapshot();
    const { status, body } = await upload(testCase.name, bytes);
    const code = testCase.outcome.refused;
    expect({ status, code: body.code }).toEqual({ status: new MediaError(code, '').status, code });
    expect(body.error).toMatch(id === 'zero-byte' ? /empty|no body/ : testCase.outcome.message);
    expect(await snapshot()).toEqual(before);
  });

  it('should cut off an upload without a declared size at the 1 MB limit, storing nothing', async () => {
    const bytes = await corpusCase('image-cut-off-at-limit').build(dir);
    const before = await snapshot();
    let sent = 0;
    // A stream body: no Content-Length, so only counting while reading can find it too large.
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= bytes.byteLength) return controller.close();
        controller.enqueue(bytes.subarray(sent, sent + 65_536));
        sent += 65_536;
      },
    });
    const { status, body } = await upload('big.png', stream);
    expect({ status, body }).toEqual({
      status: 413,
      body: { code: 'TOO_LARGE', error: '"big.png" is more than 1 MB; images may be at most 1 MB.' },
    });
    expect(await snapshot()).toEqual(before);
  });

  it('should go by the bytes, not the Content-Type', async () => {
    const png = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#135' } })
      .png()
      .toBuffer();
    const asHtml = await upload('page.html', png, { 'content-type': 'text/html' });
    expect(asHtml).toMatchObject({ status: 201, body: { mime: 'image/png', width: 20, height: 10 } });
    const before = await snapshot();
    const html = new TextEncoder().encode('<html><script>alert(1)</script></html>'.repeat(10));
    const asPng = await upload('photo.png', html, { 'content-type': 'image/png' });
    expect(asPng).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_TYPE' } });
    expect(await snapshot()).toEqual(before);
  });

  it('should serve a PNG polyglot (HTML and ZIP appended) only as image/png', async () => {
    const bytes = await corpusCase('polyglot-png-html-zip').build(dir);
    const { status, body } = await upload('innocent.png', bytes);
    expect({ status, mime: body.mime }).toEqual({ status: 201, mime: 'image/png' });
    const served = await fetch(`${server.base}/api/media/${body.id}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each([
    ['path separators', '../../etc/passwd.png', 'passwd.png'],
    ['NUL and CR LF', 'me\u0000.png\r\nX-Evil: 1', 'me.pngX-Evil: 1'],
    ['unicode', 'cafe\u0301 🙂 照片.png', 'caf\u00e9 🙂 照片.png'],
    ['300 characters', `${'n'.repeat(296)}.png`, `${'n'.repeat(195)}….png`],
  ])('should keep a cleaned file name for a name with %s', async (_what, name, kept) => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#246' } })
      .png()
      .toBuffer();
    const { status, body } = await upload(name, png);
    expect(status, JSON.stringify(body)).toBe(201);
    const asset = await client.trpc.assets.get.query({ id: String(body.id) });
    expect(asset.originalName).toBe(kept);
  });
});

/** Submits a job and waits until it ends; returns its detail. */
async function runJob(plugin: string, input: Record<string, unknown>) {
  const { id } = await client.trpc.jobs.create.mutate({ plugin, input });
  return vi.waitFor(
    async () => {
      const job = await client.trpc.jobs.get.query({ id });
      if (!['succeeded', 'failed', 'cancelled'].includes(job.status)) {
        throw new Error(`job ${id} still ${job.status} (${job.stage})`);
      }
      return job;
    },
    { timeout: 90_000, interval: 250 },
  );
}

type Job = Awaited<ReturnType<typeof runJob>>;
const outputOf = (job: Job) => job.assets.find((a) => a.role === 'output' && a.slot === 'result')?.asset;

/** Writes `bytes` as `name` and uploads it like a script would. */
async function uploadFile(name: string, bytes: Uint8Array) {
  const file = path.join(await mkdtemp(path.join(dir, 'upload-')), name);
  await writeFile(file, bytes);
  return client.upload(file);
}

/** The astronaut's face, `side` pixels square, as PNG. */
const faceTile = (side: number) =>
  sharp(ASTRONAUT)
    .extract({ left: 226 - side / 2, top: 133 - side / 2, width: side, height: side })
    .png()
    .toBuffer();

describe('jobs on bad or awkward inputs', () => {
  it('should swap the largest of two faces by default, and both with faces: all', async () => {
    const tile = await faceTile(240);
    const two = await sharp({ create: { width: 480, height: 240, channels: 3, background: '#888' } })
      .composite([
        { input: tile, left: 0, top: 0 },
        { input: tile, left: 240, top: 0 },
      ])
      .png()
      .toBuffer();
    const twoId = (await uploadFile('two-faces.png', two)).id;
    const largest = await runJob('faceswap', { source: [portraitId], target: twoId });
    expect(largest.error).toBeNull();
    expect(largest.metadata).toMatchObject({ faces: { found: 2, swapped: 1 } });
    const all = await runJob('faceswap', { source: [portraitId], target: twoId, faces: 'all' });
    expect(all.metadata).toMatchObject({ faces: { found: 2, swapped: 2 } });
    expect(outputOf(all)).toMatchObject({ mime: 'image/png', width: 480, height: 240 });
    expectWorkerUp();
  }, 120_000);

  it('should fail a face swap on a picture with no face, saying so, and store nothing', async () => {
    const grey = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#777' } })
      .png()
      .toBuffer();
    const greyId = (await uploadFile('wall.png', grey)).id;
    const before = await snapshot();
    const job = await runJob('faceswap', { source: [portraitId], target: greyId });
    expect({ status: job.status, error: job.error }).toEqual({
      status: 'failed',
      error: 'No face found in the target image "wall.png"',
    });
    expect(await snapshot()).toEqual(before);
    expectWorkerUp();
  }, 60_000);

  it('should refuse a driving video longer than VISAGE_MAX_DRIVING_SECONDS, and store nothing', async () => {
    const clip = path.join(dir, 'long.mp4');
    await writeAstronautClip(clip, { frames: 20, fps: 10, size: 128 }); // 2 s; the limit is 1 s
    const clipId = (await client.upload(clip)).id;
    const before = await snapshot();
    const job = await runJob('liveportrait', { source: portraitId, driving: clipId });
    expect({ status: job.status, error: job.error }).toEqual({
      status: 'failed',
      error: 'The driving video "long.mp4" is 0:02 long; the limit is 0:01 (VISAGE_MAX_DRIVING_SECONDS)',
    });
    expect(await snapshot()).toEqual(before);
    expectWorkerUp();
  }, 60_000);

  it('should honour the EXIF orientation of a phone photo in the outputs', async () => {
    // The astronaut 512×384 upright, stored turned a quarter left with orientation 6 ("turn right to view").
    const upright = await sharp(ASTRONAUT)
      .extract({ left: 0, top: 0, width: 512, height: 384 })
      .png()
      .toBuffer();
    const sideways = await sharp(upright)
      .rotate(270)
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const photo = await uploadFile('phone.jpg', sideways);
    expect(photo).toMatchObject({ width: 512, height: 384 });

    const swapped = await runJob('faceswap', { source: [portraitId], target: photo.id });
    expect(swapped.error).toBeNull();
    expect(swapped.metadata).toMatchObject({ faces: { found: 1, swapped: 1 } }); // found only if upright
    const mirrored = await runJob('test', { image: photo.id, steps: 1, stepMs: 0 });
    expect(mirrored.error).toBeNull();

    const reference = await sharp(upright).raw().toBuffer();
    for (const [job, flop] of [
      [swapped, false],
      [mirrored, true],
    ] as const) {
      const asset = outputOf(job);
      expect(asset, job.plugin).toMatchObject({ width: 512, height: 384 });
      const { data } = await client.download(asset?.id ?? '');
      const pixels = await sharp(Buffer.from(data)).flop(flop).removeAlpha().raw().toBuffer();
      // The bottom rows (the suit, away from the face) match the upright photo, not a turned one.
      expect(meanDifference(pixels, reference, 512 * 3 * 300), job.plugin).toBeLessThan(12);
    }
    expectWorkerUp();
  }, 120_000);
});

/** Mean absolute difference of two equally sized RGB buffers from byte `from` on. */
function meanDifference(a: Uint8Array, b: Uint8Array, from: number): number {
  expect(a.byteLength).toBe(b.byteLength);
  let sum = 0;
  for (let i = from; i < a.byteLength; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / (a.byteLength - from);
}
