// The real plugins through the whole platform: the web app and a worker process, PostgreSQL and
// Redis, with fixture models (the real models' I/O) installed through a VISAGE_MODEL_CATALOG file the
// way a user's downloads are. Face swap on an image and a video, portrait animation with a saved
// motion template, and a job needing a model that is not installed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createVisageClient, type VisageClient } from '@visage/api/client';
import {
  ASTRONAUT,
  FACESWAP_FIXTURE_SPECS,
  installFixtureModels,
  LP_FIXTURE_SPECS,
  writeAstronautClip,
} from '@visage/plugins/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, trpcWith } from './support/http.ts';
import { type Stack, startStack } from './support/stack.ts';

let dir: string;
let stack: Stack;
let client: VisageClient;
let portraitId: string;
let clipId: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-plugins-e2e-'));
  const modelsDir = path.join(dir, 'models');
  const { catalogFile } = await installFixtureModels(modelsDir, {
    arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
    inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
    'gfpgan_1.4': FACESWAP_FIXTURE_SPECS['gfpgan_1.4'],
    ...LP_FIXTURE_SPECS,
  });
  stack = await startStack('plugins', { VISAGE_MODELS_DIR: modelsDir, VISAGE_MODEL_CATALOG: catalogFile });
  const admin = await signUp(stack.base, 'pia@example.com');
  const key = await trpcWith(stack.base, { cookie: admin.cookie }).apiKeys.create.mutate({ name: 'plugins' });
  client = createVisageClient({ url: stack.base, apiKey: key.key });
  portraitId = (await client.upload(ASTRONAUT)).id;
  const clip = path.join(dir, 'driving.mp4');
  await writeAstronautClip(clip, { frames: 10, fps: 10 });
  clipId = (await client.upload(clip)).id;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Submits a job and waits (polling) until it ends; returns its detail. */
async function runJob(plugin: string, input: Record<string, unknown>) {
  const { id } = await client.trpc.jobs.create.mutate({ plugin, input });
  const deadline = Date.now() + 90_000;
  for (;;) {
    const job = await client.trpc.jobs.get.query({ id });
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} (${job.stage})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const output = (job: Awaited<ReturnType<typeof runJob>>, slot = 'result') =>
  job.assets.find((a) => a.role === 'output' && a.slot === slot);

describe('plugins through the web app and a worker', () => {
  it('should list the fixture models as installed, BlazeFace as bundled, CodeFormer as missing', async () => {
    const { models } = await client.trpc.models.list.query();
    const byId = Object.fromEntries(models.map((m) => [m.id, m]));
    expect(byId.inswapper_128?.installed).toBe(true);
    expect(byId.liveportrait_warping_spade?.installed).toBe(true);
    expect(byId.blazeface).toMatchObject({ installed: true, availability: 'bundled' });
    expect(byId.codeformer?.installed).toBe(false);
  });

  it('should swap the face of an image', async () => {
    const job = await runJob('faceswap', { source: [portraitId], target: portraitId, restore: 'gfpgan_1.4' });
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.provider).toBe('cpu');
    expect(output(job)?.asset).toMatchObject({ mime: 'image/png', width: 512, height: 512 });
    const metadata = job.metadata as Record<string, unknown>;
    expect(metadata.detector).toBe('blazeface');
    expect(metadata.faces).toMatchObject({ found: 1, swapped: 1 });
    const roles = (metadata.modelsUsed as { id: string; role: string; sha256: string }[]).map((m) => m.role);
    expect(roles).toEqual(['detector', 'recognizer', 'swapper', 'restorer']);
  }, 120_000);

  it('should swap the faces of a video, keeping its frames and audio', async () => {
    const job = await runJob('faceswap', { source: [portraitId], target: clipId });
    expect(job.status).toBe('succeeded');
    expect(output(job)?.asset).toMatchObject({ mime: 'video/mp4', hasAudio: true, fps: 10 });
    expect((job.metadata as { video: { frames: number } }).video.frames).toBe(10);
  }, 120_000);

  it('should animate the portrait and save the driving motion as a template that animates again', async () => {
    const job = await runJob('liveportrait', { source: portraitId, driving: clipId, saveMotion: true });
    expect(job.error).toBeNull();
    const motion = output(job, 'motion');
    expect(output(job)?.asset).toMatchObject({ mime: 'video/mp4', hasAudio: true, fps: 10, width: 512 });
    expect(motion?.asset).toMatchObject({ mime: 'image/png', kind: 'motion' });
    const providers = (job.metadata as { modelsUsed: { role: string; provider: string }[] }).modelsUsed;
    expect(providers.find((m) => m.role === 'warping')?.provider).toBe('cpu');

    const again = await runJob('liveportrait', { source: portraitId, motion: motion?.asset.id });
    expect(again.status).toBe('succeeded');
    expect(output(again)?.asset).toMatchObject({ mime: 'video/mp4', hasAudio: false });
  }, 180_000);

  it('should fail a job whose model is not installed, with the command that gets it', async () => {
    const job = await runJob('faceswap', { source: [portraitId], target: portraitId, restore: 'codeformer' });
    expect(job.status).toBe('failed');
    expect(job.error).toContain(
      'Model "codeformer" is not installed. Get it with: pnpm visage models pull codeformer',
    );
  }, 60_000);

  it('should fail a job with no face in the source with a message naming the file', async () => {
    const grey = path.join(dir, 'grey.png');
    const { default: sharp } = await import('sharp');
    await writeFile(
      grey,
      await sharp({ create: { width: 64, height: 64, channels: 3, background: '#777' } })
        .png()
        .toBuffer(),
    );
    const greyId = (await client.upload(grey)).id;
    const job = await runJob('faceswap', { source: [greyId], target: portraitId });
    expect(job.status).toBe('failed');
    expect(job.error).toBe('No face found in the source image "grey.png"');
  }, 60_000);
});
