// The gallery and the job page in a real browser against the whole stack, with fixture face swap
// models installed as downloads are: results appear, filter, star, download one and a zip, delete
// with confirmation; the face swap's before/after slider by keyboard; cancel from the job page; a
// failed job; and a second user who sees none of it. Every state is photographed and checked by axe.
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createVisageClient, type VisageClient } from '@visage/api/client';
import { ASTRONAUT, FACESWAP_FIXTURE_SPECS, installFixtureModels } from '@visage/plugins/testing';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import yauzl from 'yauzl';
import { type Account, signUp, trpcWith } from '../support/http.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { capture, LAYOUT_SHIFT_RECORDER, launchChromium } from './support/browser.ts';

type Trpc = ReturnType<typeof trpcWith>;

let dir: string;
let stack: Stack;
let browser: Browser;
let alice: { account: Account; trpc: Trpc; client: VisageClient; context: BrowserContext; page: Page };
let page: Page;
const testJobs: string[] = [];
let swapJob: string;

async function check(name: string, on: Page = page) {
  const result = await capture(on, name);
  expect(result.violations, `axe on ${name}:\n${JSON.stringify(result.violations, null, 2)}`).toEqual([]);
  expect(result.layoutShift, `layout shift on ${name}`).toBeLessThan(0.1);
}

/** A browser context signed in with the account's session cookie. */
async function browse(account: Account) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: stack.base });
  await context.addInitScript({ content: LAYOUT_SHIFT_RECORDER });
  const [name, ...value] = account.cookie.split('=');
  await context.addCookies([{ name: name ?? '', value: value.join('='), url: stack.base }]);
  const tab = await context.newPage();
  tab.setDefaultTimeout(60_000); // next dev compiles each route on its first visit
  return { context, page: tab };
}

/** The job once it has reached one of `until` (polled through the API, at most 90 s). */
function waitForJob(trpc: Trpc, id: string, until = ['succeeded', 'failed', 'cancelled']) {
  return vi.waitFor(
    async () => {
      const job = await trpc.jobs.get.query({ id });
      if (!until.includes(job.status)) throw new Error(`job ${id} still ${job.status} (${job.stage})`);
      return job;
    },
    { timeout: 90_000, interval: 200 },
  );
}

const results = () => page.getByRole('list', { name: 'Results' }).getByRole('listitem');

/** The entry names of a zip, read with yauzl (a real unzip implementation). */
async function zipEntries(zip: Buffer): Promise<string[]> {
  const archive = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(zip, { lazyEntries: false }, (error, opened) =>
      error ? reject(error) : resolve(opened),
    ),
  );
  const names: string[] = [];
  archive.on('entry', (entry: yauzl.Entry) => names.push(entry.fileName));
  await once(archive, 'end');
  return names;
}

async function downloaded(download: Download): Promise<Buffer> {
  const file = await download.path();
  return readFile(file);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-gallery-ui-'));
  const modelsDir = path.join(dir, 'models');
  const { catalogFile } = await installFixtureModels(modelsDir, {
    arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
    inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
  });
  [stack, browser] = await Promise.all([
    startStack('gallery', { VISAGE_MODELS_DIR: modelsDir, VISAGE_MODEL_CATALOG: catalogFile }),
    launchChromium(),
  ]);
  const account = await signUp(stack.base, 'ada@example.com');
  const trpc = trpcWith(stack.base, { cookie: account.cookie });
  const client = createVisageClient({
    url: stack.base,
    apiKey: (await trpc.apiKeys.create.mutate({ name: 'gallery' })).key,
  });
  alice = { account, trpc, client, ...(await browse(account)) };
  page = alice.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the gallery', () => {
  it('should show the results of finished jobs, newest first, with the face swap among them', async () => {
    expect(alice.account.role).toBe('admin');
    const portrait = (await alice.client.upload(ASTRONAUT)).id;
    for (let i = 0; i < 3; i++) {
      const { id } = await alice.trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 1, stepMs: 0 } });
      testJobs.push(id);
      expect((await waitForJob(alice.trpc, id)).status, id).toBe('succeeded');
    }
    swapJob = (
      await alice.trpc.jobs.create.mutate({
        plugin: 'faceswap',
        input: { source: [portrait], target: portrait },
      })
    ).id;
    const swapped = await waitForJob(alice.trpc, swapJob);
    expect(swapped.error).toBeNull();
    await page.goto('/');
    await results().first().waitFor(); // next dev compiles the page on its first visit
    await expect.poll(() => results().count()).toBe(4);
    // The upload is not a result; the newest (the face swap) comes first.
    expect(await results().first().getByRole('link').getAttribute('href')).toBe(`/jobs/${swapJob}`);
    await check('gallery-results');
  }, 240_000);

  it('should filter by the tool that made them, keeping the filter in the URL', async () => {
    await page.getByRole('combobox', { name: 'Made with' }).click();
    await page.getByRole('option', { name: 'Face swap' }).click();
    await expect.poll(() => results().count()).toBe(1);
    expect(page.url()).toContain('plugin=faceswap');
    await page.getByRole('combobox', { name: 'Made with' }).click();
    await page.getByRole('option', { name: 'All tools' }).click();
    await expect.poll(() => results().count()).toBe(4);
  }, 60_000);

  it('should star a result at once and show it under Starred', async () => {
    const card = results().nth(1);
    const href = await card.getByRole('link').getAttribute('href');
    const star = card.getByRole('button', { name: 'Star' });
    expect(await star.getAttribute('aria-pressed')).toBe('false');
    await star.click();
    // Optimistic, but still a React render away from the click.
    await expect.poll(() => star.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('button', { name: 'Starred' }).click();
    await expect.poll(() => results().count()).toBe(1);
    expect(await results().first().getByRole('link').getAttribute('href')).toBe(href);
    await check('gallery-starred');
    // Reloading keeps the filter and the star (it was saved, not only drawn).
    await page.reload();
    await expect.poll(() => results().count()).toBe(1);
    await page.getByRole('button', { name: 'All', exact: true }).click();
    await expect.poll(() => results().count()).toBe(4);
  }, 90_000);

  it('should download one result under a name saying what made it', async () => {
    await results()
      .nth(1)
      .getByRole('button', { name: /^More actions/ })
      .click();
    await check('gallery-card-menu');
    // Photographing resizes the window, which may close the menu.
    if ((await page.getByRole('menu').count()) === 0) {
      await results()
        .nth(1)
        .getByRole('button', { name: /^More actions/ })
        .click();
    }
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('menuitem', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^test-\d{8}-\d{6}-[0-9a-f]{8}\.png$/);
    const bytes = await downloaded(download);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  }, 60_000);

  it('should select a range with shift-click and download two as a zip', async () => {
    await results().nth(0).getByRole('checkbox').click();
    await results()
      .nth(2)
      .getByRole('checkbox')
      .click({ modifiers: ['Shift'] });
    const bar = page.getByRole('region', { name: 'Selection' });
    await expect.poll(() => bar.getByRole('status').textContent()).toBe('3 selected');
    await results().nth(0).getByRole('checkbox').click();
    await expect.poll(() => bar.getByRole('status').textContent()).toBe('2 selected');
    await check('gallery-selection');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      bar.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^visage-\d{4}-\d{2}-\d{2}-2-files\.zip$/);
    const zip = await downloaded(download);
    expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304');
    const names = await zipEntries(zip);
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(/^test-\d{8}-\d{6}-[0-9a-f]{8}\.png$/);
    expect(new Set(names).size).toBe(2);
    await bar.getByRole('button', { name: 'Clear selection' }).click();
    await expect.poll(() => bar.count()).toBe(0);
  }, 90_000);

  it('should delete a result only once confirmed', async () => {
    const last = results().nth(3);
    const href = await last.getByRole('link').getAttribute('href');
    await last.getByRole('button', { name: /^More actions/ }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete this file?' });
    await dialog.waitFor();
    await check('gallery-delete-confirm');
    await dialog.getByRole('button', { name: 'Keep' }).click();
    expect(await results().count()).toBe(4);

    await last.getByRole('button', { name: /^More actions/ }).click();
    await page.getByRole('menuitem', { name: 'Delete…' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => results().count()).toBe(3);
    expect(await page.locator(`a[href="${href}"]`).count()).toBe(0);
    await page.reload();
    await expect.poll(() => results().count()).toBe(3);
  }, 90_000);
});

describe('the job page', () => {
  it('should compare the face swap with its original on a slider worked by the keyboard', async () => {
    await page.goto('/');
    await results().first().getByRole('link').click();
    await page.waitForURL(`**/jobs/${swapJob}`);
    const slider = page.getByRole('slider', { name: 'Compare the original with the result' });
    await slider.waitFor();
    expect(await slider.getAttribute('aria-valuenow')).toBe('50');
    await slider.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('55');
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('45');
    await page.keyboard.press('Home');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('0');
    await page.keyboard.press('End');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('100');
    await page.keyboard.press('PageDown');
    await expect.poll(() => slider.getAttribute('aria-valuenow')).toBe('90');
    // The models it ran, with their checksums; the inputs beside the result.
    await page.getByText('inswapper_128', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Copy the SHA-256 of inswapper_128' }).waitFor();
    await page.getByText('1 face found, 1 swapped').waitFor();
    expect(await page.getByRole('heading', { name: 'Inputs' }).count()).toBe(1);
    await check('gallery-job-faceswap');
  }, 120_000);

  let cancelledId = '';
  let failedId = '';

  it('should cancel a running job after asking, and show it cancelled', async () => {
    const { id } = await alice.trpc.jobs.create.mutate({
      plugin: 'test',
      input: { steps: 200, stepMs: 300 },
    });
    await page.goto(`/jobs/${id}`);
    await page.locator('[data-status=running]').waitFor();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Cancel this job?' });
    await dialog.waitFor();
    await check('gallery-job-cancel-confirm');
    await dialog.getByRole('button', { name: 'Cancel job' }).click();
    await page.locator('[data-status=cancelled]').waitFor({ timeout: 30_000 });
    expect((await alice.trpc.jobs.get.query({ id })).status).toBe('cancelled');
    await page.getByRole('button', { name: 'Retry' }).waitFor();
    await check('gallery-job-cancelled');
    cancelledId = id;
  }, 120_000);

  it('should show why a job failed, with its stack trace folded away', async () => {
    const { id } = await alice.trpc.jobs.create.mutate({
      plugin: 'test',
      input: { steps: 2, stepMs: 0, failAtStep: 2 },
    });
    await waitForJob(alice.trpc, id);
    await page.goto(`/jobs/${id}`);
    const alert = page.getByRole('alert').filter({ hasText: 'The job failed' });
    await alert.getByText('Test plugin failed at step 2 as asked', { exact: true }).waitFor();
    expect(await alert.locator('details').getAttribute('open')).toBeNull();
    await check('gallery-job-failed');
    failedId = id;
  }, 60_000);

  it('should list failed and cancelled jobs by status in the gallery, with the reason, kept in the URL', async () => {
    await page.goto('/');
    await page.getByRole('list', { name: 'Results' }).waitFor();
    await page.getByRole('combobox', { name: 'Job status' }).click();
    await page.getByRole('option', { name: 'Failed' }).click();
    const failed = page.locator(`[data-job-id="${failedId}"]`);
    await failed.waitFor();
    expect(await failed.getByTestId('job-card-detail').textContent()).toBe(
      'Test plugin failed at step 2 as asked',
    );
    expect(await page.locator(`[data-job-id="${cancelledId}"]`).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Starred', exact: true }).count()).toBe(0); // results-only filters hidden
    await expect.poll(() => new URL(page.url()).search).toBe('?status=failed');
    await check('gallery-jobs-failed');

    await page.reload(); // the URL keeps the filter
    await page.getByRole('combobox', { name: 'Job status' }).getByText('Failed').waitFor();
    await page.getByRole('combobox', { name: 'Job status' }).click();
    await page.getByRole('option', { name: 'Cancelled' }).click();
    const cancelled = page.locator(`[data-job-id="${cancelledId}"]`);
    await cancelled.waitFor();
    expect(await page.locator(`[data-job-id="${failedId}"]`).count()).toBe(0);
    await cancelled.getByRole('link').click();
    await page.waitForURL(`**/jobs/${cancelledId}`);
    await page.locator('[data-status=cancelled]').first().waitFor();
  }, 90_000);
});

describe('a second user', () => {
  let bob: { account: Account; trpc: Trpc; page: Page };
  let aliceOutput: string;

  beforeAll(async () => {
    await alice.trpc.system.setSignupOpen.mutate({ open: true });
    const account = await signUp(stack.base, 'bob@example.com');
    bob = { account, trpc: trpcWith(stack.base, { cookie: account.cookie }), ...(await browse(account)) };
    const items = (await alice.trpc.assets.list.query({ kind: 'output' })).items;
    aliceOutput = items[0]?.id ?? '';
  }, 60_000);

  it("should see none of the first user's results, jobs or files", async () => {
    expect(bob.account.role).toBe('user');
    await bob.page.goto('/');
    await bob.page.getByRole('heading', { name: 'Nothing here yet' }).waitFor();
    await bob.page.goto(`/jobs/${swapJob}`);
    await bob.page.getByRole('heading', { name: 'Job not found' }).waitFor();
    await check('gallery-job-not-found', bob.page);
    expect((await bob.page.request.get(`/api/media/${aliceOutput}`)).status()).toBe(404);
    expect((await bob.page.request.get(`/api/media/${aliceOutput}?variant=thumbnail`)).status()).toBe(404);
    expect((await bob.page.request.get(`/api/assets/zip?ids=${aliceOutput}`)).status()).toBe(404);
    // The first user may, through the same routes.
    expect((await page.request.get(`/api/assets/zip?ids=${aliceOutput}`)).status()).toBe(200);
  }, 120_000);

  it('should load more results as they scroll to the end of the grid', async () => {
    const jobs = [];
    for (let i = 0; i < 32; i++) {
      jobs.push((await bob.trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 1, stepMs: 0 } })).id);
    }
    for (const id of jobs) await waitForJob(bob.trpc, id);
    await bob.page.goto('/');
    const cards = bob.page.getByRole('list', { name: 'Results' }).getByRole('listitem');
    // A first page of 30 (the sentinel may already be near enough to fetch the rest).
    await cards.first().waitFor();
    await expect.poll(() => cards.count()).toBeGreaterThanOrEqual(30);
    await bob.page.getByRole('button', { name: 'Load more' }).scrollIntoViewIfNeeded();
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(32);
    await check('gallery-scrolled', bob.page);
    expect(await bob.page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    const tooMany = Array.from({ length: 201 }, (_, i) => `id-${i}`).join(',');
    expect((await bob.page.request.get(`/api/assets/zip?ids=${tooMany}`)).status()).toBe(413);
  }, 180_000);
});
