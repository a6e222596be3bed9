// The web UI in a real browser against the real stack: first-run sign-up, the studio form for the
// test plugin with an upload, a job followed live to its result, the gallery, the other pages,
// sign-out. Every page is photographed in light/dark × desktop/phone and checked with axe-core.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ASTRONAUT, installWanFixtureModels } from '@visage/plugins/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webDir } from '../support/processes.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { type CaptureResult, capture, LAYOUT_SHIFT_RECORDER, launchChromium } from './support/browser.ts';

const admin = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' };

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let jobUrl: string;
let modelsDir: string;

/** Photographs the page and fails on serious/critical axe findings or a visible layout shift. */
async function check(name: string): Promise<CaptureResult> {
  const result = await capture(page, name);
  expect(result.violations, `axe on ${name}:\n${JSON.stringify(result.violations, null, 2)}`).toEqual([]);
  expect(result.layoutShift, `layout shift on ${name}`).toBeLessThan(0.1);
  return result;
}

beforeAll(async () => {
  // The wan plugin's parts as fixture models with the exact contracts (docs/models/wan.md §9.7).
  modelsDir = await mkdtemp(path.join(os.tmpdir(), 'visage-ui-models-'));
  const { catalogFile } = await installWanFixtureModels(modelsDir);
  const models = { VISAGE_MODELS_DIR: modelsDir, VISAGE_MODEL_CATALOG: catalogFile };
  [stack, browser] = await Promise.all([startStack('ui', models), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: stack.base });
  await context.addInitScript({ content: LAYOUT_SHIFT_RECORDER });
  page = await context.newPage();
  page.setDefaultTimeout(60_000); // next dev compiles each route on its first visit
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await rm(modelsDir, { recursive: true, force: true });
});

describe('the web UI', () => {
  it('should send a first visitor to create the admin account, validating the form', async () => {
    await page.goto('/');
    await page.waitForURL('**/sign-up');
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Create the admin account');
    await check('sign-up-first-run');

    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByText('Enter your name').waitFor();
    await page.getByText('Use at least 8 characters').waitFor();

    await page.getByLabel('Name').fill(admin.name);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.waitForURL(`${stack.base}/`);
    await page.getByRole('heading', { name: 'Nothing here yet' }).waitFor();
  }, 180_000);

  it('should show the signed-in admin an empty gallery inside the app shell', async () => {
    // One account menu shows: the sidebar's at desktop width (the phone bar's is hidden).
    await expect.poll(() => page.getByRole('button', { name: /Ada Lovelace/ }).count()).toBe(1);
    const nav = page.getByRole('navigation', { name: 'Main' }).first();
    for (const link of ['Gallery', 'Test', 'Queue', 'Models', 'Settings']) {
      expect(await nav.getByRole('link', { name: link }).count(), link).toBe(1);
    }
    // The skip link is the first stop for keyboard users.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await check('gallery-empty');
  }, 120_000);

  it('should draw the test plugin form from its schema, with defaults and help', async () => {
    // next dev compiles a route on its first visit, which under load takes longer than the job the
    // follow-the-job test watches: compile the job page now (a job that does not exist).
    await page.goto('/jobs/00000000-0000-4000-8000-000000000000');
    await page.getByRole('heading', { name: 'Job not found' }).waitFor();
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).first().getByRole('link', { name: 'Test' }).click();
    await page.waitForURL('**/create/test');
    await page.getByRole('heading', { level: 1, name: 'Test' }).waitFor();
    expect(await page.getByRole('spinbutton', { name: 'Steps' }).inputValue()).toBe('5');
    expect(await page.getByRole('spinbutton', { name: 'Step ms' }).inputValue()).toBe('200');
    await page.getByText('How many progress steps to report.').waitFor();
    await page.getByText('Drop a file here').waitFor();
    await check('create-test');
  }, 120_000);

  it('should draw the face swap and portrait animation forms from their schemas', async () => {
    await page.goto('/create/faceswap');
    await page.getByRole('heading', { level: 1, name: 'Face swap' }).waitFor();
    await page.getByText('Photos of the face to put in.', { exact: false }).waitFor();
    await page.getByText('The image or video whose faces are replaced.').waitFor();
    await page.getByText('PNG, JPEG or WebP · up to 50 MB').first().waitFor(); // the source takes images only
    await page.getByText(/MP4/).first().waitFor(); // the target takes videos too
    await page.getByText('Sharpen the swapped face with a restoration model', { exact: false }).waitFor();
    // Options in sections, in the schema's order.
    expect(
      await page
        .locator('[data-section]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-section'))),
    ).toEqual(['Swap', 'Faces', 'Blending', 'Restoration', 'Video', 'Output']);
    // The swapper: "auto" by default (which needs none in particular: only ArcFace is missing), each
    // choice with its size, licence and speed.
    const needs = page.getByTestId('model-needs');
    const swap = page.locator('[data-section=Swap]');
    await expect
      .poll(() => swap.getByRole('combobox', { name: 'Swapper' }).textContent())
      .toBe('Auto — best installed permissive (ghost)');
    await needs
      .getByText('ArcFace w600k_r50 face recognition (FaceFusion export) is not installed')
      .waitFor();
    await swap.getByRole('combobox', { name: 'Swapper' }).click();
    await page
      .getByRole('option', { name: 'ghost_2_256 · 256 px · Apache-2.0 (commercial use allowed) · medium' })
      .waitFor();
    await page.getByRole('option', { name: 'inswapper_128 · 128 px · non-commercial · fast' }).click();
    // The models this job needs, said before it runs: none installed here, two non-commercial.
    await needs.getByText('2 models are not installed').waitFor();
    const swapper = needs.locator('[data-model-need=inswapper_128]');
    expect(await swapper.getByTestId('need-state').textContent()).toBe('Not installed');
    await swapper.getByText('Non-commercial').waitFor();
    await needs.getByRole('button', { name: 'Used when installed (1 of 4 here)' }).click();
    expect(await needs.locator('[data-model-need=blazeface]').getByTestId('need-state').textContent()).toBe(
      'Installed', // bundled with Visage
    );
    await page
      .getByTestId('non-commercial-notice')
      .filter({ visible: true })
      .getByText(/inswapper/)
      .waitFor();
    await check('create-faceswap');

    // Options that matter for one choice only appear with it; the models follow the options.
    const faces = page.locator('[data-section=Faces]');
    expect(await faces.getByRole('spinbutton', { name: 'Face index' }).count()).toBe(0);
    expect(await page.getByText('a photo of the person to replace', { exact: false }).count()).toBe(0);
    await faces.getByRole('combobox', { name: 'Faces' }).click();
    await page.getByRole('option', { name: 'Index' }).click();
    await faces.getByRole('spinbutton', { name: 'Face index' }).waitFor();
    await faces.getByRole('combobox', { name: 'Faces' }).click();
    await page.getByRole('option', { name: 'Reference' }).click();
    await page.getByText('a photo of the person to replace', { exact: false }).waitFor(); // the reference upload
    expect(await faces.getByRole('spinbutton', { name: 'Face index' }).count()).toBe(0);

    const restoration = page.locator('[data-section=Restoration]');
    expect(await restoration.getByRole('spinbutton', { name: 'Restore fidelity' }).count()).toBe(0);
    await restoration.getByRole('combobox', { name: 'Restore' }).click();
    await page.getByRole('option', { name: 'Codeformer' }).click();
    await restoration.getByRole('spinbutton', { name: 'Restore fidelity' }).waitFor();
    await needs.locator('[data-model-need=codeformer]').waitFor();
    await needs.getByText('3 models are not installed').waitFor();

    // Advanced options fold away until asked for.
    expect(await faces.getByRole('combobox', { name: 'Detector' }).count()).toBe(0);
    await faces.getByRole('button', { name: /More options/ }).click();
    await faces.getByRole('combobox', { name: 'Detector' }).waitFor();
    await check('create-faceswap-options');

    await page.goto('/create/liveportrait');
    await page.getByRole('heading', { level: 1, name: 'Portrait animation' }).waitFor();
    await page.getByText('A video of a face whose motion animates the portrait.', { exact: false }).waitFor();
    await page
      .locator('[data-section=Motion]')
      .getByRole('button', { name: /More options/ })
      .click();
    await page.getByRole('switch', { name: 'Stitching' }).waitFor();
    await page
      .locator('[data-section="Eyes and lips"]')
      .getByRole('button', { name: /More options/ })
      .click();
    await page.getByRole('switch', { name: 'Close the mouth first' }).waitFor();
    await check('create-liveportrait');
    await page.goto('/create/test');
    await page.getByRole('heading', { level: 1, name: 'Test' }).waitFor();
  }, 120_000);

  it('should upload the astronaut with progress, submit, and land on the job page', async () => {
    await page.locator('input[type=file]').setInputFiles(ASTRONAUT);
    await page.getByRole('img', { name: 'astronaut.png' }).waitFor();
    await page.getByRole('spinbutton', { name: 'Steps' }).fill('20'); // 14 s: time to watch it run
    await page.getByRole('spinbutton', { name: 'Step ms' }).fill('700');
    await check('create-test-filled');
    await page.getByRole('button', { name: 'Run Test' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    jobUrl = page.url();
    await page.getByRole('heading', { level: 1, name: /Test job/ }).waitFor();
  }, 120_000);

  it('should follow the job live: running, progress rising, then the mirrored output', async () => {
    const progress = page.getByTestId('job-progress');
    await page.locator('[data-status=running]').waitFor();
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          seen.add((await progress.textContent()) ?? '');
          return [...seen].filter((p) => p !== '0%' && p !== '100%').length;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBeGreaterThanOrEqual(2);
    expect(await page.getByTestId('job-stage').textContent()).not.toBe('');
    await check('job-running');

    await page.locator('[data-status=succeeded]').waitFor({ timeout: 60_000 });
    expect(await progress.textContent()).toBe('100%');
    const result = page.getByRole('img', { name: 'Result' });
    await result.waitFor();
    await expect.poll(() => result.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(512);
    await page.getByRole('link', { name: 'Download', exact: true }).waitFor();
    await check('job-succeeded');
  }, 120_000);

  it('should list the result in the gallery', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .first()
      .getByRole('link', { name: 'Gallery' })
      .click();
    await page.waitForURL(`${stack.base}/`);
    const results = page.getByRole('list', { name: 'Results' });
    await results.waitFor();
    expect(await results.getByRole('listitem').count()).toBe(1);
    const thumbnail = results.locator('img');
    await expect
      .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth))
      .toBeGreaterThan(0);
    await check('gallery');
  }, 120_000);

  it('should offer the earlier upload in the library picker', async () => {
    await page.goto('/create/test');
    await page.getByRole('button', { name: 'Pick from library' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pick from your library' });
    await dialog.getByRole('button', { name: 'astronaut.png' }).waitFor();
    await check('library-picker');
    await dialog.getByRole('button', { name: 'astronaut.png' }).click();
    await dialog.getByRole('button', { name: 'Use selected' }).click();
    await page.getByRole('img', { name: 'astronaut.png' }).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
  }, 120_000);

  it('should generate a video from a prompt and a reference, showing latent previews as it denoises', async () => {
    await page.goto('/create/wan');
    await page.getByRole('heading', { level: 1, name: 'Reference to video' }).waitFor();
    await page.getByLabel('Prompt', { exact: true }).fill('An astronaut waves at the camera');
    await page.locator('input[type=file]').setInputFiles(ASTRONAUT);
    await page.getByRole('img', { name: 'astronaut.png' }).waitFor();
    // The preset fills size, frames and steps; "custom" shows them.
    const generation = page.locator('[data-section=Generation]');
    expect(await generation.getByRole('spinbutton', { name: 'Steps' }).count()).toBe(0);
    await generation.getByRole('combobox', { name: 'Preset' }).click();
    await page.getByRole('option', { name: 'Custom' }).click();
    await generation.getByRole('combobox', { name: 'Size' }).click();
    await page.getByRole('option', { name: '416 × 240' }).click();
    // 81 frames and 100 steps on the fixtures: many seconds of denoising to watch the previews arrive.
    await generation.getByRole('spinbutton', { name: 'Frames' }).fill('81');
    await generation.getByRole('spinbutton', { name: 'Steps' }).fill('100');
    const seed = generation.getByRole('spinbutton', { name: 'Seed' });
    expect(await seed.inputValue()).toBe('');
    await generation.getByRole('button', { name: 'New seed' }).click();
    await expect.poll(() => seed.inputValue()).toMatch(/^\d+$/);
    await check('create-wan');

    await page.getByRole('button', { name: 'Run Reference to video' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    await page.getByRole('img', { name: 'Preview of the result so far' }).waitFor();
    await expect.poll(() => page.getByTestId('job-stage').textContent()).toMatch(/^step \d+\/100$/);
    await check('job-wan-running');
    await page.locator('[data-status=succeeded]').waitFor({ timeout: 90_000 });
    await page.getByLabel('Result video').waitFor();
    await check('job-wan-succeeded');
  }, 180_000);

  it('should show the queue, the models and the settings', async () => {
    await page.goto('/queue');
    const job = page
      .getByRole('link', { name: /Test/ })
      .filter({ has: page.locator('[data-status=succeeded]') });
    await job.waitFor();
    expect(await job.getAttribute('href')).toBe(new URL(jobUrl).pathname);
    await check('queue');

    await page.goto('/models');
    await page.getByRole('heading', { level: 1, name: 'Models' }).waitFor();
    // The catalog: inswapper flagged non-commercial, BlazeFace installed (it ships with Visage).
    await page.getByText('Non-commercial').first().waitFor();
    await page.getByText(/MediaPipe BlazeFace/).waitFor();
    expect(await page.getByText('Installed').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByText(/could not be listed/).count()).toBe(0);
    await check('models');

    await page.goto('/settings');
    await page.getByText(`Signed in as ${admin.email}`).waitFor();
    await page.getByRole('switch', { name: 'Anyone can sign up' }).waitFor();
    await check('settings');

    await page.goto('/no-such-page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await check('not-found');
  }, 180_000);

  it('should open the navigation sheet on a phone', async () => {
    await page.goto('/');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'Open menu' }).click();
    const sheet = page.getByRole('dialog');
    await sheet.getByRole('link', { name: 'Queue' }).waitFor();
    await page.waitForTimeout(400); // the slide-in animation
    await page.screenshot({ path: path.join(webDir, 'test-results/screenshots/phone-menu-light.png') });
    await sheet.getByRole('link', { name: 'Queue' }).click();
    await page.waitForURL('**/queue');
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 60_000);

  it('should sign out, then show sign-in, and sign-up as closed', async () => {
    await page.getByRole('button', { name: /Ada Lovelace/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByRole('heading', { level: 1, name: 'Sign in to Visage' }).waitFor();
    await check('sign-in');

    await page.goto('/settings');
    await page.waitForURL('**/sign-in?next=%2Fsettings');

    await page.goto('/sign-up');
    await page.getByRole('heading', { level: 1, name: 'Sign-up is closed' }).waitFor();
    await page.getByText('Ask an administrator').waitFor();
    await check('sign-up-closed');

    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Invalid email or password').waitFor();
  }, 120_000);
});
