// The face swap's debug mask (saveMask, docs/models/face.md §7.6) on the job page, in a real browser
// against the whole stack with fixture models: the job writes a PNG mask of the target's size, the
// page lists it with the outputs and a "Show mask" toggle tints the swapped area over the result.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createVisageClient, type VisageClient } from '@visage/api/client';
import { ASTRONAUT, FACESWAP_FIXTURE_SPECS, installFixtureModels } from '@visage/plugins/testing';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUp, trpcWith } from '../support/http.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { capture, LAYOUT_SHIFT_RECORDER, launchChromium } from './support/browser.ts';

type Trpc = ReturnType<typeof trpcWith>;

// The overlay's look, as mask-overlay.tsx draws it: fuchsia-500 at 70 % opacity, scaled by the mask.
const TINT = [217, 70, 239];
const OPACITY = 0.7;

let dir: string;
let stack: Stack;
let browser: Browser;
let trpc: Trpc;
let client: VisageClient;
let page: Page;
let jobId: string;
let maskId: string;
let resultId: string;

interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: number;
}

async function raw(bytes: Uint8Array | Buffer): Promise<Raw> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const pixel = (img: Raw, x: number, y: number) => {
  const o = (Math.round(y) * img.width + Math.round(x)) * img.channels;
  return [img.data[o] ?? -1, img.data[o + 1] ?? -1, img.data[o + 2] ?? -1];
};

async function check(name: string) {
  const result = await capture(page, name);
  expect(result.violations, `axe on ${name}:\n${JSON.stringify(result.violations, null, 2)}`).toEqual([]);
  expect(result.layoutShift, `layout shift on ${name}`).toBeLessThan(0.1);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-mask-ui-'));
  const modelsDir = path.join(dir, 'models');
  const { catalogFile } = await installFixtureModels(modelsDir, {
    arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
    inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
  });
  [stack, browser] = await Promise.all([
    startStack('mask-overlay', { VISAGE_MODELS_DIR: modelsDir, VISAGE_MODEL_CATALOG: catalogFile }),
    launchChromium(),
  ]);
  const account = await signUp(stack.base, 'mask@example.com');
  trpc = trpcWith(stack.base, { cookie: account.cookie });
  client = createVisageClient({
    url: stack.base,
    apiKey: (await trpc.apiKeys.create.mutate({ name: 'mask' })).key,
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: stack.base });
  await context.addInitScript({ content: LAYOUT_SHIFT_RECORDER });
  const [name, ...value] = account.cookie.split('=');
  await context.addCookies([{ name: name ?? '', value: value.join('='), url: stack.base }]);
  page = await context.newPage();
  page.setDefaultTimeout(60_000); // next dev compiles each route on its first visit
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the face swap mask', () => {
  it('should be saved as a PNG of the target’s size, white where the face was pasted', async () => {
    const portrait = (await client.upload(ASTRONAUT)).id;
    jobId = (
      await trpc.jobs.create.mutate({
        plugin: 'faceswap',
        input: { source: [portrait], target: portrait, saveMask: true },
      })
    ).id;
    const job = await vi.waitFor(
      async () => {
        const row = await trpc.jobs.get.query({ id: jobId });
        if (!['succeeded', 'failed', 'cancelled'].includes(row.status)) {
          throw new Error(`job ${jobId} still ${row.status} (${row.stage})`);
        }
        return row;
      },
      { timeout: 120_000, interval: 250 },
    );
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    const outputs = job.assets.filter((a) => a.role === 'output');
    expect(outputs.map((a) => a.slot).sort()).toEqual(['mask', 'result']);
    maskId = outputs.find((a) => a.slot === 'mask')?.asset.id ?? '';
    resultId = outputs.find((a) => a.slot === 'result')?.asset.id ?? '';

    const { data, mime } = await client.download(maskId);
    expect(mime).toBe('image/png');
    expect(Buffer.from(data.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
    const target = await sharp(ASTRONAUT).metadata();
    const meta = await sharp(data).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([target.width, target.height]);
    // Grey (all channels alike), fully swapped somewhere and untouched elsewhere.
    const stats = await sharp(data).removeAlpha().stats();
    const first = stats.channels[0];
    for (const c of stats.channels)
      expect([c.min, c.max, c.mean]).toEqual([first?.min, first?.max, first?.mean]);
    expect(first?.min).toBe(0);
    expect(first?.max).toBeGreaterThanOrEqual(250);

    // The mask covers what changed: where it is 0 the result is the target byte for byte (both PNG),
    // and where it is white the swapped face replaced the target.
    const mask = await raw(data);
    const before = await raw(await sharp(ASTRONAUT).toBuffer());
    const after = await raw((await client.download(resultId)).data);
    let changedOutside = 0;
    let white = 0;
    let changedWhite = 0;
    for (let i = 0; i < mask.width * mask.height; i++) {
      const m = mask.data[i * mask.channels] ?? -1;
      const o = i * before.channels;
      const changed = [0, 1, 2].some((c) => before.data[o + c] !== after.data[o + c]);
      if (m === 0 && changed) changedOutside++;
      if (m === 255) {
        white++;
        if (changed) changedWhite++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(white).toBeGreaterThan(100);
    expect(changedWhite / white).toBeGreaterThan(0.9);
  }, 240_000);

  it('should offer a "Show mask" toggle on the job page and list the mask with the outputs', async () => {
    // The first visit compiles the route in next dev: allow for a busy machine.
    await page.goto(`/jobs/${jobId}`, { timeout: 180_000 });
    const toggle = page.getByRole('button', { name: 'Show mask' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    // Off: the usual before/after slider, no overlay, the legend hidden.
    await page.getByRole('slider', { name: 'Compare the original with the result' }).waitFor();
    expect(await page.getByTestId('mask-overlay').count()).toBe(0);
    expect(await page.getByText('Tinted: where the new face was pasted; stronger = more').isVisible()).toBe(
      false,
    );
    const outputs = page.getByRole('region', { name: 'Outputs' });
    await outputs.getByRole('link', { name: /^Open Mask:/ }).waitFor();
    await outputs.getByRole('link', { name: 'Download Mask' }).waitFor();
    await check('mask-overlay-off');
  }, 300_000);

  it('should tint the swapped area over the result when turned on', async () => {
    const toggle = page.getByRole('button', { name: 'Show mask' });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('true');
    const overlay = page.getByRole('img', { name: 'Mask: where the new face was pasted' });
    await overlay.waitFor({ state: 'visible' });
    await page
      .getByText('Tinted: where the new face was pasted; stronger = more')
      .waitFor({ state: 'visible' });
    const mask = await raw(await client.download(maskId).then((d) => d.data));
    await expect
      .poll(() => overlay.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
      .toBe(mask.width);
    expect(await overlay.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(mask.height);
    await check('mask-overlay-on');

    // What the page draws, against the formula: result·(1 − 0.7·m) + tint·0.7·m, where m is the mask.
    const result = await raw(await client.download(resultId).then((d) => d.data));
    const box = page.getByRole('img', { name: 'Result', exact: true });
    // The overlay covers the result's box exactly, so a shot of that box shows both.
    const shot = await raw(await box.screenshot());
    // object-contain: the image scaled to fit, centred.
    const scale = Math.min(shot.width / mask.width, shot.height / mask.height);
    const left = (shot.width - mask.width * scale) / 2;
    const top = (shot.height - mask.height * scale) / 2;
    // The centre of the fully swapped area, and a corner the swap left alone.
    let sx = 0;
    let sy = 0;
    let n = 0;
    for (let y = 0; y < mask.height; y++) {
      for (let x = 0; x < mask.width; x++) {
        if ((mask.data[(y * mask.width + x) * mask.channels] ?? 0) === 255) {
          sx += x;
          sy += y;
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(100);
    const centre = [Math.round(sx / n), Math.round(sy / n)] as const;
    expect(pixel(mask, ...centre)[0]).toBe(255);
    expect(pixel(mask, 4, 4)[0]).toBe(0);
    for (const [[x, y], m] of [
      [centre, 1],
      [[4, 4], 0],
    ] as const) {
      const under = pixel(result, x, y);
      const shown = pixel(shot, left + (x + 0.5) * scale - 0.5, top + (y + 0.5) * scale - 0.5);
      const expected = under.map((v, c) => v * (1 - OPACITY * m) + (TINT[c] ?? 0) * OPACITY * m);
      shown.forEach((v, c) => {
        expect(
          Math.abs(v - (expected[c] ?? 0)),
          `channel ${c} at (${x}, ${y}): ${shown} vs ${expected}`,
        ).toBeLessThan(24);
      });
    }

    // Off again: the slider is back.
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-pressed')).toBe('false');
    await page.getByRole('slider', { name: 'Compare the original with the result' }).waitFor();
    expect(await overlay.count()).toBe(0);
  }, 120_000);
});
