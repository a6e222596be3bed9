// The models router against stand-in workers speaking the Redis protocol: the catalog merged from
// the workers' states, commands addressed to one worker or all, their answers, timeouts and errors,
// and pull progress relayed to subscribers.
import type { PullProgress } from '@visage/db/models';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWorker, type FakeWorkerOptions, startFakeWorker, workerModel } from './fake-worker.ts';
import { createTestApi } from './support.ts';

const ACK_MS = 400;
let api: Awaited<ReturnType<typeof createTestApi>>;
let admin: Awaited<ReturnType<typeof api.callerFor>>;
let user: Awaited<ReturnType<typeof api.callerFor>>;
const workers: FakeWorker[] = [];

beforeAll(async () => {
  api = await createTestApi({ modelCommandTimeouts: { ackMs: ACK_MS } });
  admin = await api.callerFor((await api.signUp('admin@example.com')).body.user?.id ?? '');
  await api.services.db.appSetting.create({ data: { key: 'signupOpen', value: true } });
  user = await api.callerFor((await api.signUp('user@example.com')).body.user?.id ?? '');
});

afterEach(async () => {
  for (const worker of workers.splice(0)) {
    expect(worker.failures).toEqual([]);
    await worker.stop();
  }
});

afterAll(async () => {
  await api.close();
});

async function fake(options: FakeWorkerOptions) {
  const worker = await startFakeWorker(api.prefix, options);
  workers.push(worker);
  return worker;
}

const tiny = (installed: boolean) =>
  workerModel('tiny', {
    installed,
    variants: [{ precision: 'fp32', state: installed ? 'installed' : 'missing', reason: null, partBytes: 0 }],
  });
const exportOnly = workerModel('export-only', {
  plugin: 'future',
  availability: 'export-required',
  licence: { name: 'Custom', commercialUse: false, url: 'https://example.com/licence' },
  note: 'Export it yourself.',
});
const progress = (seq: number, state: PullProgress['state'], received: number): PullProgress => ({
  id: 'tiny',
  precision: 'fp32',
  state,
  received,
  total: 1024,
  message: null,
  seq,
});

describe('models router without a worker', () => {
  it('should list nothing and say so, and refuse commands with a clear message', async () => {
    expect(await user.models.list()).toEqual({ workers: [], groups: [], models: [] });
    expect(await user.models.forJob({ plugin: 'test', options: { model: 'tiny' } })).toEqual({
      workers: [],
      models: [expect.objectContaining({ id: 'tiny', inCatalog: null, installed: false })],
    });
    for (const call of [
      () => admin.models.pull({ id: 'tiny' }),
      () => admin.models.verify({}),
      () => admin.models.cancelPull({ id: 'tiny' }),
      () => admin.models.import({ id: 'tiny', path: '/tmp/tiny.onnx' }),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: 'PRECONDITION_FAILED',
        message: expect.stringMatching(/^No worker is connected\. Models are installed by the workers/),
      });
    }
  });

  it('should let only an admin pull, import, verify or cancel', async () => {
    await expect(user.models.pull({ id: 'tiny' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(user.models.verify({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(user.models.cancelPull({ id: 'tiny' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(user.models.import({ id: 'tiny', path: '/x.onnx' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(user.models.onPull({ id: 'tiny' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('models router with two workers', () => {
  it('should merge the workers’ catalogs into one row per model with each worker’s state', async () => {
    await fake({ workerId: 'a', plugins: ['test'], models: [tiny(true), exportOnly] });
    await fake({ workerId: 'b', plugins: ['test'], models: [tiny(false), exportOnly] });
    const list = await admin.models.list();
    expect(list.workers.map((w) => [w.id, w.host, w.modelsDir])).toEqual([
      ['a', 'host-a', '/models/a'],
      ['b', 'host-b', '/models/b'],
    ]);
    // Other users get the same rows under workers' aliases, without hosts or folders (docs/security.md §4).
    const seen = await user.models.list();
    expect(seen.workers.map((w) => [w.id, w.host, w.modelsDir])).toEqual(
      seen.workers.map((w) => [expect.stringMatching(/^worker-[0-9a-f]{10}$/), w.id, '']),
    );
    expect(seen.models.map((m) => m.installedOn)).toEqual([[seen.workers[0]?.id], []]);
    expect(list.models.map((m) => [m.id, m.installed, m.installedOn, m.licence.commercialUse])).toEqual([
      ['tiny', false, ['a'], true],
      ['export-only', false, [], false],
    ]);
    expect(list.models[0]?.workers.map((w) => [w.workerId, w.installed, w.variants[0]?.state])).toEqual([
      ['a', true, 'installed'],
      ['b', false, 'missing'],
    ]);
    expect(list.models[0]).toMatchObject({
      pullCommand: 'pnpm visage models pull tiny',
      importCommand: 'pnpm visage models import tiny <file>',
    });
    expect(list.models[1]?.importCommand).toBe('pnpm visage models import export-only <folder>');
    // Grouped by each entry's plugin: plugins this version does not run under their id, shared last.
    expect(list.groups.map((g) => [g.plugin, g.title])).toEqual([
      ['future', 'Future'],
      ['shared', 'Shared'],
    ]);
  });

  it('should report a job’s model installed when a worker serving its plugin has it', async () => {
    await fake({ workerId: 'a', plugins: ['faceswap'], models: [tiny(true)] }); // does not run test jobs
    await fake({ workerId: 'b', plugins: ['test'], models: [tiny(false)] });
    const needs = await admin.models.forJob({ plugin: 'test', options: { model: 'tiny' } });
    expect(needs.workers.map((w) => w.id)).toEqual(['b']);
    expect(needs.models).toEqual([
      {
        id: 'tiny',
        title: 'TINY',
        required: true,
        inCatalog: true,
        installed: false,
        installedOn: [],
        bytes: 1024,
        licence: { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' },
        availability: 'download',
        pullCommand: 'pnpm visage models pull tiny',
      },
    ]);
    await workers[1]?.setModels([tiny(true)]);
    const after = await admin.models.forJob({ plugin: 'test', options: { model: 'tiny' } });
    expect(after.models[0]).toMatchObject({ installed: true, installedOn: ['b'] });
    const [unknown] = (await user.models.forJob({ plugin: 'test', options: { model: 'no-such' } })).models;
    expect(unknown).toMatchObject({ id: 'no-such', inCatalog: false, installed: false, licence: null });
    expect((await user.models.forJob({ plugin: 'test', options: { steps: 'many' } })).models).toEqual([]);
    await expect(user.models.forJob({ plugin: 'faceswap', options: {} })).rejects.toMatchObject({
      code: 'NOT_FOUND', // not enabled in this API
    });
  });

  it('should send a pull to the one worker asked and return its answer', async () => {
    const a = await fake({ workerId: 'a', plugins: ['test'], models: [tiny(false)] });
    const b = await fake({
      workerId: 'b',
      plugins: ['test'],
      models: [tiny(false)],
      answer: () => ({ ok: true, value: progress(1, 'running', 0) }),
    });
    expect(await admin.models.pull({ id: 'tiny', precision: 'fp32', workerId: 'b' })).toEqual([
      { workerId: 'b', host: 'host-b', ok: true, value: progress(1, 'running', 0) },
    ]);
    expect(b.received.map((r) => [r.workerId, r.command])).toEqual([
      ['b', { kind: 'pull', id: 'tiny', precision: 'fp32' }],
    ]);
    expect(a.received).toEqual([]);
    await expect(admin.models.pull({ id: 'tiny', workerId: 'c' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Worker "c" is not connected (connected: a, b)',
    });
  });

  it('should pass on the workers’ refusals, and report a worker that does not answer', async () => {
    const refusal = 'export-only has no public download: Export it yourself.';
    await fake({
      workerId: 'a',
      plugins: ['test'],
      models: [exportOnly],
      answer: ({ command }) =>
        command.kind === 'cancelPull'
          ? { ok: true, value: { cancelled: true } }
          : { ok: false, code: 'BAD_REQUEST', message: refusal },
    });
    await fake({
      workerId: 'b',
      plugins: ['test'],
      models: [exportOnly],
      answer: ({ command }) =>
        command.kind === 'pull' ? { ok: false, code: 'BAD_REQUEST', message: refusal } : 'silent',
    });
    // The same refusal from both: said once.
    await expect(admin.models.pull({ id: 'export-only' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: refusal,
    });
    // Different failures: each worker's, by name.
    await expect(admin.models.verify({ id: 'export-only' })).rejects.toMatchObject({
      code: 'INTERNAL_SERVER_ERROR',
      message: `a: ${refusal}; b: Worker b did not answer within 0.4 s: it may have stopped (a stopped worker leaves the list within 30 s)`,
    });
    // One worker did it: the answer comes back, the silent one's timeout beside it.
    expect(await admin.models.cancelPull({ id: 'export-only' })).toEqual({
      id: 'export-only',
      cancelledOn: ['a'],
    });
  });

  it('should say when no worker answers at all', async () => {
    await fake({ workerId: 'a', plugins: ['test'], models: [tiny(true)], answer: () => 'silent' });
    const started = Date.now();
    await expect(admin.models.verify({ id: 'tiny' })).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/^Worker a did not answer within 0\.4 s: it may have stopped/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(ACK_MS);
  });

  it('should relay verify results and import outcomes per worker', async () => {
    const verified = {
      id: 'tiny',
      precision: 'fp32',
      path: '/models/a/tiny/tiny.onnx',
      state: 'ok' as const,
      expected: 'ab',
      actual: 'ab',
      message: 'tiny (fp32): ok',
    };
    const a = await fake({
      workerId: 'a',
      plugins: ['test'],
      models: [tiny(true)],
      answer: ({ command }) =>
        command.kind === 'verify'
          ? { ok: true, value: [verified] }
          : { ok: false, code: 'BAD_REQUEST', message: 'sha256 mismatch' },
    });
    expect(await admin.models.verify({ id: 'tiny' })).toEqual([
      { workerId: 'a', host: 'host-a', ok: true, value: [verified] },
    ]);
    await expect(admin.models.import({ id: 'tiny', path: 'relative.onnx' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: `Give the absolute path of the file or folder on the worker's host (got "relative.onnx")`,
    });
    await expect(admin.models.import({ id: 'tiny', path: '/data/bad.onnx' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'sha256 mismatch',
    });
    expect(a.received.map((r) => r.command)).toEqual([
      { kind: 'verify', id: 'tiny' },
      { kind: 'import', id: 'tiny', path: '/data/bad.onnx' },
    ]);
  });

  it('should cancel a running pull, and refuse when none runs', async () => {
    await fake({
      workerId: 'a',
      plugins: ['test'],
      models: [tiny(false)],
      answer: () => ({ ok: true, value: { cancelled: false } }),
    });
    await fake({
      workerId: 'b',
      plugins: ['test'],
      models: [tiny(false)],
      answer: () => ({ ok: true, value: { cancelled: true } }),
    });
    expect(await admin.models.cancelPull({ id: 'tiny' })).toEqual({ id: 'tiny', cancelledOn: ['b'] });
    await expect(admin.models.cancelPull({ id: 'tiny', workerId: 'a' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'No download of tiny is running',
    });
  });

  it('should relay a worker’s pull progress from its last state to the end, in order', async () => {
    const b = await fake({
      workerId: 'b',
      plugins: ['test'],
      models: [{ ...tiny(false), pull: progress(1, 'running', 0) }],
    });
    await fake({
      workerId: 'a',
      plugins: ['test'],
      models: [{ ...tiny(false), pull: progress(7, 'done', 1024) }],
    });
    const seen: { workerId: string; seq: number; state: string }[] = [];
    const subscription = (async () => {
      for await (const event of await admin.models.onPull({ id: 'tiny', workerId: 'b' })) {
        // Typed as { id, data }, but an in-process caller gets tracked events as [id, data] pairs.
        const [, data] = event as unknown as [string, { workerId: string; seq: number; state: string }];
        seen.push({ workerId: data.workerId, seq: data.seq, state: data.state });
      }
    })();
    await expect.poll(() => seen.length).toBe(1); // the state key's word, then live updates
    await b.progress(progress(2, 'running', 256));
    await b.progress(progress(2, 'running', 256)); // a repeat is dropped
    await b.progress(progress(3, 'running', 512));
    await b.progress(progress(4, 'done', 1024));
    await subscription;
    expect(seen).toEqual([
      { workerId: 'b', seq: 1, state: 'running' },
      { workerId: 'b', seq: 2, state: 'running' },
      { workerId: 'b', seq: 3, state: 'running' },
      { workerId: 'b', seq: 4, state: 'done' },
    ]);
    // Nothing running: one event (the last word of each worker) and the stream ends.
    const ended: unknown[] = [];
    for await (const event of await admin.models.onPull({ id: 'tiny', workerId: 'a' })) ended.push(event);
    expect(ended).toHaveLength(1);
  });
});
