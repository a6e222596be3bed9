// The Live page in Chromium against the whole stack (docs/live.md), its camera a fake device that
// plays the astronaut photo moving: the test plugin's live mode started from the page, processed
// frames drawn and the stats overlay ticking, the output view in a second tab drawing the same
// stream, a recording saved to the gallery, and the page photographed in both themes with axe-core.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ASTRONAUT } from '@visage/plugins/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, trpcWith } from '../support/http.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { capture, LAYOUT_SHIFT_RECORDER, launchChromium } from './support/browser.ts';
import { writeFakeCamera } from './support/fake-camera.ts';

// The worker verifies the tickets the web app signs: both need the same secret (processes.ts gives it to next).
const SECRET = 'test-secret-0123456789-0123456789-0123456789';

let dir: string;
let stack: Stack;
let browser: Browser;
let account: Account;
let context: BrowserContext;
let page: Page;
let output: Page;
let recordedId: string;

async function check(name: string, on: Page = page) {
  const result = await capture(on, name);
  expect(result.violations, `axe on ${name}:\n${JSON.stringify(result.violations, null, 2)}`).toEqual([]);
  expect(result.layoutShift, `layout shift on ${name}`).toBeLessThan(0.1);
}

/** How many processed frames a page's canvas has drawn (the painter counts them on the element). */
const framesShown = (on: Page) =>
  on
    .getByTestId('live-output')
    .getAttribute('data-frames-shown')
    .then((n) => Number(n ?? 0));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-live-ui-'));
  const camera = path.join(dir, 'camera.y4m');
  await writeFakeCamera(camera);
  [stack, browser] = await Promise.all([
    startStack('live-ui', { BETTER_AUTH_SECRET: SECRET }),
    launchChromium({
      args: [
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${camera}`,
      ],
    }),
  ]);
  account = await signUp(stack.base, 'ada@example.com');
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: stack.base });
  await context.grantPermissions(['camera']);
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

describe('the Live page', () => {
  it('should be in the navigation and offer the test mode with a free slot', async () => {
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).first().getByRole('link', { name: 'Live' }).click();
    await page.waitForURL('**/live');
    await page.getByRole('heading', { level: 1, name: 'Live' }).waitFor();
    await page.getByRole('combobox', { name: 'Mode' }).click();
    await page.getByRole('option', { name: 'Live test' }).click();
    await page.getByText('Sends the camera back unchanged (or mirrored).').waitFor();
    // The worker's heartbeat reports its live slot; the page asks again every few seconds.
    await page
      .getByTestId('free-slots')
      .getByText(/^1 free slot on 1 worker/)
      .waitFor();
    await page.getByRole('button', { name: /More options/ }).click();
    await page.getByRole('switch', { name: 'Mirror' }).click();
    expect(await page.getByRole('switch', { name: 'Mirror' }).getAttribute('aria-checked')).toBe('true');
    // 60 ms a frame keeps the stream near 15 fps: a full-rate stream would take the CPU that the
    // other test files' servers share on a 2-core machine.
    await page.getByRole('spinbutton', { name: 'Delay ms' }).fill('60');
    await check('live-idle');
  }, 120_000);

  it('should start the camera and draw processed frames with stats that keep updating', async () => {
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => framesShown(page), { timeout: 60_000, interval: 100 }).toBeGreaterThan(10);
    const stats = page.getByTestId('live-stats');
    // A stats message a second: the total of frames out it carries keeps rising.
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          seen.add((await stats.getAttribute('data-frames-out')) ?? '');
          return seen.size;
        },
        { timeout: 20_000, interval: 200 },
      )
      .toBeGreaterThanOrEqual(3);
    await expect.poll(async () => Number(await stats.getAttribute('data-fps-out'))).toBeGreaterThan(0);
    expect(await stats.textContent()).toContain('latency');
    // Options are fixed for the session: the mode cannot change while it runs.
    expect(await page.getByRole('combobox', { name: 'Mode' }).isDisabled()).toBe(true);
    await check('live');

    // Processed only: the camera preview goes, the processed stream goes on.
    await page.getByRole('button', { name: 'Processed only' }).click();
    await page.getByLabel('Your camera').waitFor({ state: 'detached' });
    const before = await framesShown(page);
    await expect
      .poll(() => framesShown(page), { timeout: 20_000, interval: 100 })
      .toBeGreaterThan(before + 5);
    await page.getByRole('button', { name: 'Side by side' }).click();
    await page.getByLabel('Your camera').waitFor();
  }, 120_000);

  it('should say so in another tab when the only live slot is taken', async () => {
    const other = await context.newPage();
    other.setDefaultTimeout(60_000);
    await other.goto('/live');
    await other.getByRole('combobox', { name: 'Mode' }).click();
    await other.getByRole('option', { name: 'Live test' }).click();
    await other.getByText('No free live slot').waitFor();
    expect(await other.getByRole('button', { name: 'Start', exact: true }).isDisabled()).toBe(true);
    await other.close();
  }, 60_000);

  it('should show the same stream in the output view, alone on a black page', async () => {
    output = await context.newPage();
    output.setDefaultTimeout(60_000);
    await output.goto('/live-output');
    await expect.poll(() => framesShown(output), { timeout: 60_000, interval: 100 }).toBeGreaterThan(5);
    expect(await output.locator('main').getAttribute('data-state')).toBe('showing');
    expect(await output.getByRole('navigation').count()).toBe(0); // no app shell
    await check('live-output', output);
  }, 120_000);

  it('should record the processed stream into the gallery', async () => {
    await page.getByRole('button', { name: 'Record', exact: true }).click();
    const time = page.getByTestId('recording-time');
    await expect
      .poll(async () => Number(await time.getAttribute('data-recorded-ms')), {
        timeout: 30_000,
        interval: 100,
      })
      .toBeGreaterThan(1000);
    await page.getByRole('button', { name: 'Stop recording' }).click();
    const toast = page.getByTestId('recorded-toast');
    await toast.waitFor();
    recordedId = (await toast.getAttribute('data-asset-id')) ?? '';
    expect(await toast.getByRole('link', { name: 'Play it' }).getAttribute('href')).toBe(
      `/api/media/${recordedId}`,
    );
    await time.waitFor({ state: 'detached' });

    const asset = await trpcWith(stack.base, { cookie: account.cookie }).assets.get.query({ id: recordedId });
    expect(asset).toMatchObject({ kind: 'output', mime: 'video/mp4', job: null });
    expect(asset.durationMs).toBeGreaterThan(500);
    expect((asset.metadata as { live: { plugin: string } }).live.plugin).toBe('test');
  }, 120_000);

  it('should stop the session, and the output view should wait for the next one', async () => {
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.locator('[data-testid=live-stage][data-running=false]').waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    expect(await page.getByTestId('live-ended').count()).toBe(0); // stopped, not broken
    await output.locator('main[data-state=waiting]').waitFor();
    await output.getByText('Waiting for a live session…').waitFor();
    await output.close();
  }, 60_000);

  it('should list the recording in the gallery as a live one', async () => {
    await page.goto('/');
    const card = page.locator(`[data-asset-id="${recordedId}"]`);
    // Named after the tool, as a job's result is, with the device it ran on and a Live badge.
    await card.getByText('Test', { exact: true }).waitFor();
    await card
      .getByTestId('live-provenance')
      .getByText(/ · cpu$/)
      .waitFor();
    await card.getByText('Live', { exact: true }).waitFor();
    expect(await card.getByRole('link').first().getAttribute('href')).toBe(`/api/media/${recordedId}`);
    await check('gallery-live');
  }, 60_000);

  it('should say why a session could not start: face swap without its models', async () => {
    await page.goto('/live');
    await page.getByRole('combobox', { name: 'Mode' }).click();
    await page.getByRole('option', { name: 'Live face swap' }).click();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByText('Add at least 1 file').waitFor(); // the source photo is required
    await page.locator('input[type=file]').setInputFiles(ASTRONAUT);
    await page.getByRole('img', { name: 'astronaut.png' }).waitFor();
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    // No model is installed on this worker: it refuses the session and says why (close 4422).
    const ended = page.getByTestId('live-ended');
    await ended.waitFor();
    expect(await ended.textContent()).toMatch(/^The session ended: \S/);
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor();
    await check('live-failed');
  }, 120_000);
});
