// Settings, queue and models in a real browser against a real stack: API keys (shown once, working
// as a bearer token, revoked), teams and invitations, the sign-up switch, the worker's device
// summary, a running job cancelled from the queue, and model downloads from a slow local mirror
// (progress rising to Installed, verify, and a cancelled download left partial).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, signUp, trpcWith } from '../support/http.ts';
import { type Stack, startStack } from '../support/stack.ts';
import { type CaptureResult, capture, LAYOUT_SHIFT_RECORDER, launchChromium } from './support/browser.ts';
import { type SlowMirror, startSlowMirror } from './support/slow-mirror.ts';

const FAST = 'gfpgan_1.4'; // Apache-2.0: downloaded to the end
const SLOW = 'codeformer'; // non-commercial: cancelled half-way

let dir: string;
let mirror: SlowMirror;
let stack: Stack;
let browser: Browser;
let page: Page;
let admin: Account;

async function check(name: string, on: Page = page): Promise<CaptureResult> {
  const result = await capture(on, name);
  expect(result.violations, `axe on ${name}:\n${JSON.stringify(result.violations, null, 2)}`).toEqual([]);
  expect(result.layoutShift, `layout shift on ${name}`).toBeLessThan(0.1);
  return result;
}

async function signedInPage(account: Account): Promise<{ context: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: stack.base });
  await ctx.addInitScript({ content: LAYOUT_SHIFT_RECORDER });
  const [name, value] = account.cookie.split('=') as [string, string];
  await ctx.addCookies([{ name, value, url: stack.base }]);
  const p = await ctx.newPage();
  p.setDefaultTimeout(60_000); // next dev compiles each route on its first visit
  return { context: ctx, page: p };
}

const statusWithKey = (key: string) =>
  fetch(`${stack.base}/api/trpc/system.status`, { headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-settings-e2e-'));
  const catalogFile = path.join(dir, 'catalog.json');
  mirror = await startSlowMirror(
    [
      { id: FAST, chunks: 40, chunkBytes: 48 * 1024, delayMs: 100 }, // ≈ 4 s
      { id: SLOW, chunks: 200, chunkBytes: 32 * 1024, delayMs: 150 }, // ≈ 30 s
    ],
    catalogFile,
  );
  [stack, browser] = await Promise.all([
    startStack('settings', { VISAGE_MODEL_CATALOG: catalogFile }),
    launchChromium(),
  ]);
  admin = await signUp(stack.base, 'ada@example.com');
  ({ page } = await signedInPage(admin)); // closed with the browser
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await mirror?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('settings', () => {
  it('should show a new API key once, accept it as a bearer token, and reject it once revoked', async () => {
    await page.goto('/settings');
    await page.getByText(`Signed in as ${admin.email}`).waitFor();
    await page.getByText('No API keys yet.').waitFor();
    await check('settings');

    await page.getByLabel('Key name').fill('ci script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'API key “ci script” created' });
    await dialog.getByText('it is shown only once').waitFor();
    const key = (await dialog.locator('code').first().textContent()) ?? '';
    expect(key).toMatch(/^visage_/);
    await check('settings-api-key-created');
    expect((await statusWithKey(key)).status).toBe(200);

    await dialog.getByRole('button', { name: 'I have copied it' }).click();
    const list = page.getByRole('list', { name: 'API keys' });
    await list.getByText('ci script').waitFor();
    expect(await page.getByText(key).count()).toBe(0); // never shown again
    await list.getByRole('button', { name: 'Revoke ci script' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('No API keys yet.').waitFor();
    expect((await statusWithKey(key)).status).toBe(401);
  }, 180_000);

  it('should create a team, invite a teammate and list the pending invitation', async () => {
    await page.getByLabel('Team name').fill('Studio');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('heading', { level: 3, name: 'Studio' }).waitFor();
    await page.getByLabel('Invite by email').fill('grace@example.com');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await page.getByRole('status').getByText('grace@example.com').waitFor();
    const pending = page.getByRole('list', { name: 'Pending invitations to Studio' });
    await pending.getByText('grace@example.com').waitFor();
    await check('settings-team');
  }, 120_000);

  it('should toggle sign-up and show the worker’s device', async () => {
    const api = trpcWith(stack.base, { cookie: admin.cookie });
    const toggle = page.getByRole('switch', { name: 'Anyone can sign up' });
    const before = (await api.system.signupOpen.query()).open;
    await toggle.click();
    await expect.poll(async () => (await api.system.signupOpen.query()).open).toBe(!before);
    // The switch shows the server's state once its query refetches.
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe(String(!before));
    await toggle.click();
    await expect.poll(async () => (await api.system.signupOpen.query()).open).toBe(before);
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe(String(before));

    const [worker] = (await api.system.status.query()).workers;
    expect(worker).toBeDefined();
    await expect.poll(() => page.getByTestId('worker-device').first().textContent()).toBe(worker?.device);
    await page
      .getByText(worker?.models?.precision ?? 'fp32')
      .first()
      .waitFor();
    await check('settings-admin');
  }, 120_000);

  it('should let the invited teammate join from settings and see models without admin actions', async () => {
    const grace = await signUp(stack.base, 'grace@example.com'); // allowed: she is invited
    const member = await signedInPage(grace);
    try {
      await member.page.goto('/settings');
      await member.page.getByRole('button', { name: 'Join Studio' }).click();
      await member.page
        .getByRole('list', { name: 'Members of Studio' })
        .getByText('grace@example.com')
        .waitFor();
      expect(await member.page.getByRole('heading', { name: 'Administration' }).count()).toBe(0);
      await check('settings-member', member.page);

      await member.page.goto('/models');
      await member.page.locator(`[data-model="${FAST}"]`).getByText('pnpm visage models pull').waitFor();
      expect(await member.page.getByRole('button', { name: /Download/ }).count()).toBe(0);
      await check('models-member', member.page);
    } finally {
      await member.context.close();
    }
  }, 180_000);
});

describe('queue', () => {
  it('should show an empty queue, then a running job live, and cancel it', async () => {
    await page.goto('/queue');
    await page.getByRole('heading', { name: 'Nothing is running' }).waitFor();
    await check('queue-empty');

    const api = trpcWith(stack.base, { cookie: admin.cookie });
    const { id } = await api.jobs.create.mutate({ plugin: 'test', input: { steps: 300, stepMs: 200 } });
    const active = page.getByRole('list', { name: 'Running and queued jobs' });
    const row = active.getByRole('link').filter({ has: page.locator('[data-status=running]') });
    await row.waitFor({ timeout: 30_000 });
    expect(await row.getAttribute('href')).toBe(`/jobs/${id}`);
    const bar = active.getByRole('progressbar');
    const first = Number(await bar.getAttribute('aria-valuenow'));
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 })
      .toBeGreaterThan(first);
    await check('queue-running');

    await active.getByRole('button', { name: 'Cancel Test job' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel job' }).click();
    await page.getByRole('heading', { name: 'Nothing is running' }).waitFor({ timeout: 30_000 });
    await page
      .getByRole('list', { name: 'Recently finished jobs' })
      .locator('[data-status=cancelled]')
      .waitFor();
    expect((await api.jobs.get.query({ id })).status).toBe('cancelled');
    await check('queue-cancelled');
  }, 180_000);
});

describe('models', () => {
  it('should download a model from the local mirror with rising progress until it is installed', async () => {
    await page.goto('/models');
    const card = page.locator(`[data-model="${FAST}"]`);
    await card.getByTestId('model-state').getByText('Not installed').waitFor();
    await page.getByRole('heading', { level: 2, name: 'Face swap' }).waitFor();
    await check('models');

    await card.getByRole('button', { name: 'Download' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText('Apache-2.0').waitFor();
    expect(await confirm.getByText('Non-commercial licence').count()).toBe(0);
    await confirm.getByRole('button', { name: 'Download' }).click();

    const bar = card.getByRole('progressbar');
    await bar.waitFor();
    const seen: number[] = [];
    await expect
      .poll(
        async () => {
          const now = Number(await bar.getAttribute('aria-valuenow').catch(() => null));
          if (now > 0 && now < 100 && now !== seen.at(-1)) seen.push(now);
          return seen.length;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    await card.getByTestId('pull-facts').getByText(/\/s/).waitFor(); // the speed once it is measured
    await card.getByTestId('model-state').getByText('Installed').waitFor({ timeout: 30_000 });

    await card.getByRole('button', { name: 'Verify' }).click();
    const verified = page.getByRole('dialog', { name: /Verification of/ });
    await verified.getByText('Checksum matches').waitFor();
    expect(await verified.getByTestId('verify-actual').textContent()).toBe(mirror.sha256[FAST]);
    await check('models-verified');
    await page.keyboard.press('Escape');
  }, 180_000);

  it('should warn about a non-commercial licence, then cancel its download and show it partial', async () => {
    const card = page.locator(`[data-model="${SLOW}"]`);
    await card.getByRole('button', { name: 'Download' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm.getByText('Non-commercial licence.').waitFor();
    await check('models-download-confirm');
    await confirm.getByRole('button', { name: 'Accept and download' }).click();

    const bar = card.getByRole('progressbar');
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await card.getByTestId('model-state').getByText('Downloading').waitFor();
    await check('models-downloading');

    await card.getByRole('button', { name: 'Cancel' }).click();
    await card.getByTestId('model-state').getByText('Partial download').waitFor({ timeout: 20_000 });
    await card.getByRole('button', { name: 'Resume download' }).waitFor();
    await check('models-partial');
  }, 180_000);
});
