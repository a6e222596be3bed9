// Models live where they run: the web app and two real worker processes, each with its own models
// folder (both start empty), PostgreSQL and Redis, and a local HTTP server standing in for the model
// mirror. A model pulled through the models router lands in the asked worker's folder only, with its
// progress relayed to the subscriber, and the list shows it installed there only; the models page
// shows one row per worker while they differ and pulls onto the other from its row; with no worker
// left, the page and the router say so.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, trpcWith } from '../support/http.ts';
import {
  type NextServer,
  startNext,
  startWorkerProcess,
  stopNext,
  type WorkerProcess,
  waitForLog,
  waitUntilReady,
} from '../support/processes.ts';
import { createTestEnv, killWorker, type TestEnv } from '../support/stack.ts';
import { type CaptureResult, capture, LAYOUT_SHIFT_RECORDER, launchChromium } from './support/browser.ts';

const MODEL = 'e2e_tiny';
const CHUNK = 16 * 1024;
const CHUNKS = 40;
const weights = Buffer.alloc(CHUNK * CHUNKS).map((_, i) => (i * 7 + 3) % 256);
const sha256 = createHash('sha256').update(weights).digest('hex');
const A = 'models-a';
const B = 'models-b';

type Trpc = ReturnType<typeof trpcWith>;
type PullUpdate = { workerId: string; state: string; received: number; seq: number };

let dir: string;
let mirror: Server;
let testEnv: TestEnv;
let server: NextServer | undefined;
const workers: Record<string, WorkerProcess> = {};
const modelsDir = (worker: string) => path.join(dir, `${worker}-models`);
let trpc: Trpc;
let browser: Browser;
let page: Page;

async function check(name: string): Promise<CaptureResult> {
  const result = await capture(page, name);
  expect(result.violations, `axe on ${name}:\n${JSON.stringify(result.violations, null, 2)}`).toEqual([]);
  expect(result.layoutShift, `layout shift on ${name}`).toBeLessThan(0.1);
  return result;
}

let requests = 0;
/**
 * The mirror: the weights in chunks, 40 ms apart for the first download and 150 ms for later ones
 * (the page's, about 6 s), so the download takes a moment to watch.
 */
function serve(req: { url?: string }, res: import('node:http').ServerResponse) {
  if (req.url !== `/${MODEL}.onnx`) {
    res.writeHead(404).end();
    return;
  }
  const delayMs = requests++ === 0 ? 40 : 150;
  res.writeHead(200, { 'content-length': weights.length });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(weights.subarray(sent * CHUNK, ++sent * CHUNK));
    if (sent === CHUNKS) {
      clearInterval(timer);
      res.end();
    }
  }, delayMs);
  res.on('close', () => clearInterval(timer));
}

/** VISAGE_MODEL_CATALOG: one extra model, downloadable from the mirror. */
async function writeCatalog(base: string): Promise<string> {
  const variant = {
    precision: 'fp32',
    file: `${MODEL}.onnx`,
    urls: [`${base}/${MODEL}.onnx`],
    sha256,
    bytes: weights.length,
  };
  const entry = {
    id: MODEL,
    title: 'End-to-end tiny',
    plugin: 'shared',
    ...variant,
    residentBytes: null,
    licence: { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' },
    variants: [variant],
    providers: ['cpu'],
    availability: 'download',
  };
  const file = path.join(dir, 'catalog.json');
  await writeFile(file, JSON.stringify([entry]));
  return file;
}

function launchWorker(id: string): WorkerProcess {
  workers[id] = startWorkerProcess({
    ...testEnv.env,
    VISAGE_WORKER_ID: id,
    VISAGE_MODELS_DIR: modelsDir(id),
  });
  return workers[id];
}

async function stopWorker(id: string) {
  const worker = workers[id];
  worker?.child.kill('SIGTERM');
  const [code] = (await worker?.exit) ?? [];
  expect(code).toBe(0);
}

/** Follows models.onPull over SSE until the server ends the stream. */
function watchPull(input: { id: string; workerId?: string }): Promise<PullUpdate[]> {
  const updates: PullUpdate[] = [];
  return new Promise((resolve, reject) => {
    trpc.models.onPull.subscribe(input, {
      onData: ({ data }) => updates.push(data),
      onError: reject,
      onComplete: () => resolve(updates),
    });
  });
}

const rowOf = async (id: string) => (await trpc.models.list.query()).models.find((m) => m.id === id);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-models-e2e-'));
  mirror = createServer(serve).listen(0, '127.0.0.1');
  await once(mirror, 'listening');
  const catalogFile = await writeCatalog(`http://127.0.0.1:${(mirror.address() as AddressInfo).port}`);
  testEnv = await createTestEnv('models', { VISAGE_MODEL_CATALOG: catalogFile });
  for (const id of [A, B]) await mkdir(modelsDir(id)); // empty: nothing installed yet
  server = await startNext(testEnv.env);
  const [a, b] = [launchWorker(A), launchWorker(B)];
  [browser] = await Promise.all([
    launchChromium(),
    waitUntilReady(server),
    waitForLog(a, 'worker ready', { timeoutMs: 90_000 }),
    waitForLog(b, 'worker ready', { timeoutMs: 90_000 }),
  ]);
  const admin = await signUp(server.base, 'mo@example.com');
  trpc = trpcWith(server.base, { cookie: admin.cookie });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, baseURL: server.base });
  await context.addInitScript({ content: LAYOUT_SHIFT_RECORDER });
  const [name, value] = admin.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: server.base }]);
  page = await context.newPage();
  page.setDefaultTimeout(60_000); // next dev compiles each route on its first visit
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const worker of Object.values(workers)) await killWorker(worker);
  await stopNext(server);
  await testEnv?.drop();
  mirror?.closeAllConnections();
  mirror?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('models on the workers that run them', () => {
  it('should list the catalog with each worker’s state: nothing installed on either yet', async () => {
    const list = await trpc.models.list.query();
    expect(list.workers.map((w) => [w.id, w.modelsDir])).toEqual([
      [A, modelsDir(A)],
      [B, modelsDir(B)],
    ]);
    const row = list.models.find((m) => m.id === MODEL);
    expect(row?.workers.map((w) => [w.workerId, w.installed])).toEqual([
      [A, false],
      [B, false],
    ]);
    expect(list.groups.map((g) => g.plugin)).toContain('shared');
  });

  it('should pull a model into the second worker’s own folder with progress, and list it there only', async () => {
    const [started, ...others] = await trpc.models.pull.mutate({ id: MODEL, workerId: B });
    expect(others).toEqual([]);
    expect(started).toMatchObject({ workerId: B, ok: true, value: { id: MODEL, state: 'running' } });

    const updates = await watchPull({ id: MODEL, workerId: B });
    expect(updates.every((u) => u.workerId === B)).toBe(true);
    expect(updates.at(-1)).toMatchObject({ state: 'done', received: weights.length });
    expect(updates.filter((u) => u.state === 'running').length).toBeGreaterThanOrEqual(2);
    const received = updates.map((u) => u.received);
    expect(received).toEqual([...received].sort((x, y) => x - y));

    const file = path.join(modelsDir(B), MODEL, `${MODEL}.onnx`);
    expect(
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    ).toBe(sha256);
    expect(existsSync(path.join(modelsDir(A), MODEL))).toBe(false);

    const row = await rowOf(MODEL);
    expect(row).toMatchObject({ installed: false, installedOn: [B] });
    expect(row?.workers.map((w) => [w.workerId, w.installed, w.pull?.state ?? null])).toEqual([
      [A, false, null],
      [B, true, 'done'],
    ]);
    const [verified] = await trpc.models.verify.mutate({ id: MODEL, workerId: B });
    expect(verified).toMatchObject({
      workerId: B,
      ok: true,
      value: [{ id: MODEL, state: 'ok', actual: sha256, path: file }],
    });
    const needs = await trpc.models.forJob.query({ plugin: 'test', options: { model: MODEL } });
    expect(needs.models).toEqual([expect.objectContaining({ id: MODEL, installed: true, installedOn: [B] })]);
  }, 60_000);

  it('should show one row per worker while they differ, and pull onto the other from its row', async () => {
    await page.goto('/models');
    const card = page.locator(`[data-model="${MODEL}"]`);
    await card.getByTestId('model-state').first().getByText('Installed on 1 of 2').waitFor();
    const rowA = card.locator(`[data-worker="${A}"]`);
    const rowB = card.locator(`[data-worker="${B}"]`);
    await rowB.getByTestId('model-state').getByText('Installed').waitFor();
    await rowA.getByTestId('model-state').getByText('Not installed').waitFor();
    const workersLine = await page.getByTestId('model-workers').textContent();
    expect(workersLine).toMatch(
      new RegExp(`^2 workers, each installing into its own models folder: ${A} .*, ${B} `),
    );
    await check('models-per-worker');

    await rowA.getByRole('button', { name: 'Download' }).click();
    const confirm = page.getByRole('alertdialog');
    await confirm
      .getByText(new RegExp(`^Worker ${A} \\(.*\\) downloads 640 KB into its models folder`))
      .waitFor();
    await confirm.getByRole('button', { name: 'Download' }).click();
    await rowA.getByRole('progressbar').waitFor();
    await rowA.getByTestId('model-state').getByText('Downloading').waitFor();
    await check('models-per-worker-downloading');
    // Installed on both: one row again.
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('installed');
    expect(await card.locator('[data-worker]').count()).toBe(0);
    const file = path.join(modelsDir(A), MODEL, `${MODEL}.onnx`);
    expect(
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    ).toBe(sha256);
    expect((await rowOf(MODEL))?.installedOn).toEqual([A, B]);
  }, 120_000);

  it('should say which worker is gone, and that none is connected once all are (page and router)', async () => {
    await stopWorker(B);
    await expect(trpc.models.pull.mutate({ id: MODEL, workerId: B })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
      message: `Worker "${B}" is not connected (connected: ${A})`,
    });
    await stopWorker(A);
    expect(await trpc.models.list.query()).toEqual({ workers: [], groups: [], models: [] });
    await page.goto('/models');
    await page.getByRole('heading', { name: 'No worker is connected' }).waitFor();
    await check('models-no-worker');
    await expect(trpc.models.pull.mutate({ id: MODEL })).rejects.toMatchObject({
      data: { code: 'PRECONDITION_FAILED' },
      message: expect.stringMatching(/^No worker is connected\. Models are installed by the workers/),
    });
  }, 60_000);
});
