// Face mapping in the studio (docs/models/face.md §8.5), in a real browser against the whole stack
// with fixture models: a worker finds the two faces of a target made of two astronaut photos side by
// side, the user gives the left face one source photo and the right face the other, and the job
// swaps them and records the map in its metadata.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ASTRONAUT,
  FACESWAP_FIXTURE_SPECS,
  installFixtureModels,
  writeAstronautClip,
} from '@visage/plugins/testing';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signUp, trpcWith } from '../support/http.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { capture, LAYOUT_SHIFT_RECORDER, launchChromium, screenshotDir } from './support/browser.ts';

type Trpc = ReturnType<typeof trpcWith>;

/** The astronaut's face on the 512² photo, measured by eye (packages/plugins/test/blazeface.test.ts). */
const MEASURED = { x1: 182, y1: 83, x2: 270, y2: 183 };

let dir: string;
let files: { target: string; a: string; b: string; clip: string };
let stack: Stack;
let browser: Browser;
let trpc: Trpc;
let page: Page;
let jobId: string;

async function check(name: string) {
  const result = await capture(page, name);
  expect(result.violations, `axe on ${name}:\n${JSON.stringify(result.violations, null, 2)}`).toEqual([]);
  expect(result.layoutShift, `layout shift on ${name}`).toBeLessThan(0.1);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-face-map-ui-'));
  files = {
    target: path.join(dir, 'two-astronauts.png'),
    a: path.join(dir, 'astronaut-a.png'),
    b: path.join(dir, 'astronaut-b.png'),
    clip: path.join(dir, 'astronaut-clip.mp4'),
  };
  await sharp({ create: { width: 1024, height: 512, channels: 3, background: '#000' } })
    .composite([
      { input: ASTRONAUT, left: 0, top: 0 },
      { input: ASTRONAUT, left: 512, top: 0 },
    ])
    .png()
    .toFile(files.target);
  await sharp(ASTRONAUT).png().toFile(files.a);
  // A visibly different second person: mirrored, darker and tinted.
  await sharp(ASTRONAUT).flop().modulate({ brightness: 0.5, hue: 120 }).png().toFile(files.b);
  // 12 frames of the astronaut, frame 3 black (no face).
  await writeAstronautClip(files.clip, { frames: 12, fps: 10, black: [3] });

  const modelsDir = path.join(dir, 'models');
  const { catalogFile } = await installFixtureModels(modelsDir, {
    arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
    inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
  });
  [stack, browser] = await Promise.all([
    startStack('face-map', { VISAGE_MODELS_DIR: modelsDir, VISAGE_MODEL_CATALOG: catalogFile }),
    launchChromium(),
  ]);
  const account = await signUp(stack.base, 'mapper@example.com');
  trpc = trpcWith(stack.base, { cookie: account.cookie });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: stack.base });
  await context.addInitScript({ content: LAYOUT_SHIFT_RECORDER });
  const [name, ...value] = account.cookie.split('=');
  await context.addCookies([{ name: name ?? '', value: value.join('='), url: stack.base }]);
  page = await context.newPage();
  page.setDefaultTimeout(60_000);
  // next dev compiles each route on its first visit, slowly on a busy machine: compile both pages now.
  await page.goto('/jobs/00000000-0000-4000-8000-000000000000', { timeout: 240_000 });
  await page.getByRole('heading', { name: 'Job not found' }).waitFor({ timeout: 240_000 });
  await page.goto('/create/faceswap', { timeout: 240_000 });
  await page.getByRole('heading', { level: 1, name: 'Face swap' }).waitFor({ timeout: 240_000 });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('face mapping in the studio', () => {
  it('should list the target’s faces, left to right, each with a choice of source photo', async () => {
    await page.goto('/create/faceswap');
    await page.getByRole('heading', { level: 1, name: 'Face swap' }).waitFor();
    const faces = page.locator('[data-section=Faces]');
    await faces.getByRole('combobox', { name: 'Faces' }).click();
    await page.getByRole('option', { name: 'Map faces to sources' }).click();
    // No target yet: nothing to pick from.
    await faces.getByText('Add the target first: its faces are listed here.').waitFor();

    await page.locator('#field-source').setInputFiles([files.a, files.b]);
    await page.getByRole('img', { name: 'astronaut-a.png' }).waitFor();
    await page.getByRole('img', { name: 'astronaut-b.png' }).waitFor();
    await page.locator('#field-target').setInputFiles(files.target);
    await page.getByRole('img', { name: 'two-astronauts.png' }).waitFor();

    // The worker finds both faces; each comes with its thumbnail.
    const left = faces.getByRole('img', { name: 'Face 1 (left)' });
    const right = faces.getByRole('img', { name: 'Face 2 (right)' });
    await left.waitFor();
    await right.waitFor();
    expect(await faces.getByRole('list', { name: 'Faces on this image' }).getByRole('listitem').count()).toBe(
      2,
    );
    for (const thumbnail of [left, right]) {
      expect(await thumbnail.getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
      await expect
        .poll(() => thumbnail.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
        .toBe(112);
    }
    // Everyone starts as is: submitting now is refused before it reaches the server.
    expect(await faces.getByRole('combobox', { name: 'Face 1 (left)' }).textContent()).toBe('Leave as is');
    await page.getByRole('button', { name: 'Run Face swap' }).filter({ visible: true }).click();
    await faces.getByText('Pick a source photo for at least one face').waitFor();
    expect(page.url()).toMatch(/\/create\/faceswap$/);
  }, 240_000);

  it('should give the left face the first photo and the right face the second', async () => {
    const faces = page.locator('[data-section=Faces]');
    await faces.getByRole('combobox', { name: 'Face 1 (left)' }).click();
    // The photos by name, with their thumbnails.
    const optionA = page.getByRole('option', { name: /^Source \d: astronaut-a\.png$/ });
    await page.getByRole('option', { name: /^Source \d: astronaut-b\.png$/ }).waitFor();
    await page.getByRole('option', { name: 'Leave as is' }).waitFor();
    expect(await optionA.locator('img').count()).toBe(1);
    await optionA.click();
    await faces.getByRole('combobox', { name: 'Face 2 (right)' }).click();
    await page.getByRole('option', { name: /^Source \d: astronaut-b\.png$/ }).click();
    await expect
      .poll(() => faces.getByRole('combobox', { name: 'Face 1 (left)' }).textContent())
      .toMatch(/astronaut-a\.png$/);
    expect(await faces.getByRole('combobox', { name: 'Face 2 (right)' }).textContent()).toMatch(
      /astronaut-b\.png$/,
    );
    await expect.poll(() => faces.getByText('Pick a source photo for at least one face').count()).toBe(0);
    await check('face-map-picked');
  }, 120_000);

  it('should run the job with the map and record it in the metadata', async () => {
    await page.getByRole('button', { name: 'Run Face swap' }).filter({ visible: true }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    jobId = page.url().split('/').pop() ?? '';
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

    // What the studio sent: both faces, left then right, each with its photo.
    const sourceId = (name: string) =>
      job.assets.find((a) => a.role === 'input' && a.slot === 'source' && a.asset.originalName === name)
        ?.assetId;
    const [a, b] = [sourceId('astronaut-a.png'), sourceId('astronaut-b.png')];
    expect(a).toBeTruthy();
    expect(b).toBeTruthy();
    const input = job.input as { faces: string; faceMap: { box: number[]; source: string }[] };
    expect(input.faces).toBe('map');
    expect(input.faceMap.map((e) => e.source)).toEqual([a, b]);
    input.faceMap.forEach((entry, i) => {
      const [x1, y1, x2, y2] = entry.box;
      const shift = i * 512;
      expect(Math.abs((x1 ?? 0) - (MEASURED.x1 + shift)), `face ${i} left`).toBeLessThan(25);
      expect(Math.abs((x2 ?? 0) - (MEASURED.x2 + shift)), `face ${i} right`).toBeLessThan(25);
      expect(Math.abs((y1 ?? 0) - MEASURED.y1), `face ${i} top`).toBeLessThan(40);
      expect(Math.abs((y2 ?? 0) - MEASURED.y2), `face ${i} bottom`).toBeLessThan(25);
    });

    // What the job recorded: the same map, each picked face matched on the target.
    const metadata = job.metadata as { faceMap?: unknown; faces?: { swapped?: number } };
    expect(metadata.faceMap).toEqual([
      expect.objectContaining({ box: input.faceMap[0]?.box, source: a, matched: true }),
      expect.objectContaining({ box: input.faceMap[1]?.box, source: b, matched: true }),
    ]);
    expect(metadata.faces?.swapped).toBe(2);
  }, 240_000);

  it('should show the map in the job page’s metadata', async () => {
    await page.locator('[data-status=succeeded]').waitFor();
    await page.getByRole('img', { name: 'Result' }).waitFor();
    const all = page.getByText('All metadata');
    await all.click();
    const json = page.locator('pre').filter({ hasText: '"faceMap"' });
    await json.waitFor();
    expect(await json.textContent()).toContain('"matched": true');
    // The whole JSON in the picture, not its first 16 rem.
    await json.evaluate((pre) => {
      pre.style.maxHeight = 'none';
    });
    await page
      .locator('details')
      .filter({ has: all })
      .screenshot({
        path: path.join(screenshotDir, 'face-map-job-metadata.png'),
      });
    // Closed again for the full-page check: the open JSON box is a scroll region axe wants focusable.
    await all.click();
    await check('face-map-job');
  }, 120_000);

  it('should offer a video’s frames and find the faces on the chosen one', async () => {
    await page.goto('/create/faceswap');
    await page.getByRole('heading', { level: 1, name: 'Face swap' }).waitFor();
    const faces = page.locator('[data-section=Faces]');
    await faces.getByRole('combobox', { name: 'Faces' }).click();
    await page.getByRole('option', { name: 'Map faces to sources' }).click();
    await page.locator('#field-target').setInputFiles(files.clip);
    // Frame 0 first; the frame chooser knows the clip's length.
    await faces.getByRole('img', { name: 'Face 1 (centre)' }).waitFor();
    const frame = faces.getByRole('spinbutton', { name: 'Frame to pick the faces on' });
    expect(await frame.getAttribute('max')).toBe('11');
    await faces.getByText('12 frames; frame 0 is at 0.00 s.').waitFor();
    // No source photo yet: only "Leave as is", and a hint.
    await faces.getByText('Add source photos to choose who goes where.').waitFor();

    await frame.fill('3'); // the black frame
    await faces.getByText('No faces found on frame 3.').waitFor();
    await frame.fill('5');
    await faces.getByRole('list', { name: 'Faces on frame 5' }).waitFor();
    await faces.getByRole('img', { name: 'Face 1 (centre)' }).waitFor();
    await faces.getByText('12 frames; frame 5 is at 0.50 s.').waitFor();
    // The slider follows the number.
    expect(
      await faces.getByRole('slider', { name: 'Frame to pick the faces on' }).getAttribute('aria-valuenow'),
    ).toBe('5');
    await check('face-map-video');
  }, 180_000);
});
