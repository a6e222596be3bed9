// The worker's model side in-process against the real Redis, its own models folder and a local HTTP
// server standing in for the mirrors: commands answered (ack, then reply), progress published, the
// model state kept in its key, refusals worded for the admin, and a clean stop mid-download.
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  type ModelCommand,
  type ModelEvent,
  modelEventsChannel,
  publishModelCommand,
  type WorkerModelState,
  workerModelsKey,
} from '@visage/db/models';
import { deleteRedisKeys, testRedisPrefix } from '@visage/db/testing';
import { ModelStore, parseCatalog } from '@visage/inference/models';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ModelAgent, startModelAgent } from '../src/models/agent.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testRedisPrefix();
const WORKER = 'agent-test';
const CHUNK = 16 * 1024;
const weights = new Uint8Array(64 * CHUNK).map((_, i) => (i * 31) % 251);
const sha256 = createHash('sha256').update(weights).digest('hex');

let server: Server;
let redis: Redis;
let listener: Redis;
let events: ModelEvent[];
let dir: string;
let agent: ModelAgent | undefined;
let subscriber: Redis | undefined;
let logs: Record<string, unknown>[];

/** Serves the weights in chunks, `delayMs` apart (`/slow`: slowly enough to be stopped half-way). */
function serve(req: { url?: string }, res: import('node:http').ServerResponse) {
  const delayMs = req.url === '/slow.onnx' ? 100 : req.url === '/tiny.onnx' ? 5 : -1;
  if (delayMs < 0) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-length': weights.length });
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed) return clearInterval(timer);
    res.write(weights.subarray(sent, sent + CHUNK));
    sent += CHUNK;
    if (sent >= weights.length) {
      clearInterval(timer);
      res.end();
    }
  }, delayMs);
  res.on('close', () => clearInterval(timer));
}

function catalog(base: string) {
  const licence = { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' };
  const entry = (id: string, file: string) => {
    const variant = { precision: 'fp32', file, urls: [`${base}/${file}`], sha256, bytes: weights.length };
    return {
      id,
      title: id,
      plugin: 'shared',
      ...variant,
      residentBytes: null,
      licence,
      variants: [variant],
      providers: ['cpu'],
      availability: 'download',
    };
  };
  return parseCatalog([
    entry('tiny', 'tiny.onnx'),
    entry('slow', 'slow.onnx'),
    {
      ...entry('export-only', 'e.onnx'),
      urls: [],
      sha256: null,
      bytes: null,
      variants: [{ precision: 'fp32', file: 'e.onnx', urls: [], sha256: null, bytes: null }],
      availability: 'export-required',
      note: 'Export it yourself.',
    },
  ]);
}

beforeAll(async () => {
  server = createServer(serve).listen(0, '127.0.0.1');
  await once(server, 'listening');
  redis = new Redis(redisUrl);
  listener = new Redis(redisUrl);
  listener.on('message', (_channel: string, message: string) =>
    events.push(JSON.parse(message) as ModelEvent),
  );
  await listener.subscribe(modelEventsChannel(prefix));
});

beforeEach(async () => {
  events = [];
  logs = [];
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-agent-'));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  subscriber = new Redis(redisUrl);
  agent = await startModelAgent({
    redis,
    subscriber,
    prefix,
    workerId: WORKER,
    host: 'test-host',
    plugins: ['test'],
    store: new ModelStore(dir, catalog(base)),
    log: pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
  });
});

afterEach(async () => {
  await agent?.stop();
  await subscriber?.quit();
  await rm(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await deleteRedisKeys(redis, prefix);
  await Promise.all([redis.quit(), listener.quit()]);
  server.closeAllConnections();
  server.close();
});

const state = async () =>
  JSON.parse((await redis.get(workerModelsKey(prefix, WORKER))) ?? 'null') as WorkerModelState;

/** Sends a command and waits for this worker's reply to it. */
async function send(command: ModelCommand, workerId: string | null = WORKER) {
  const requestId = randomUUID();
  await publishModelCommand(redis, prefix, { requestId, workerId, command });
  const reply = await vi.waitFor(
    () => {
      const found = events.find((e) => e.type === 'reply' && e.requestId === requestId);
      if (!found) throw new Error(`no reply to ${command.kind}`);
      return found as Extract<ModelEvent, { type: 'reply' }>;
    },
    { timeout: 10_000 },
  );
  const mine = events.filter((e) => e.type !== 'progress' && e.requestId === requestId);
  expect(mine.map((e) => e.type)).toEqual(['ack', 'reply']); // acknowledged before the work
  return reply.result;
}

const progressOf = (id: string) =>
  events.flatMap((e) => (e.type === 'progress' && e.progress.id === id ? [e.progress] : []));

describe('model agent', () => {
  it('should publish its catalog and folder state under a key that expires with it', async () => {
    const published = await state();
    expect(published).toMatchObject({
      workerId: WORKER,
      host: 'test-host',
      plugins: ['test'],
      modelsDir: dir,
    });
    expect(published.models.map((m) => [m.id, m.installed, m.availability])).toEqual([
      ['tiny', false, 'download'],
      ['slow', false, 'download'],
      ['export-only', false, 'export-required'],
    ]);
    expect(published.models[2]?.note).toBe('Export it yourself.');
    const ttl = await redis.ttl(workerModelsKey(prefix, WORKER));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('should download into its own folder with rising progress, and show it installed before saying done', async () => {
    const started = await send({ kind: 'pull', id: 'tiny' });
    expect(started).toMatchObject({
      ok: true,
      value: { id: 'tiny', state: 'running', total: weights.length },
    });
    await vi.waitFor(() => expect(progressOf('tiny').at(-1)?.state).toBe('done'), { timeout: 10_000 });
    const progress = progressOf('tiny');
    const received = progress.map((p) => p.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    const seqs = progress.map((p) => p.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ received: weights.length, message: null });
    // The key was rewritten before the last update went out, so a page refreshing on "done" sees it.
    const tiny = (await state()).models.find((m) => m.id === 'tiny');
    expect(tiny).toMatchObject({ installed: true, pull: { state: 'done' } });
    const file = path.join(dir, 'tiny', 'tiny.onnx');
    expect(
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    ).toBe(sha256);
    expect(await send({ kind: 'verify', id: 'tiny' })).toEqual({
      ok: true,
      value: [expect.objectContaining({ id: 'tiny', state: 'ok', actual: sha256, path: file })],
    });
  });

  it('should ignore commands for other workers and answer those for all', async () => {
    const requestId = randomUUID();
    await publishModelCommand(redis, prefix, {
      requestId,
      workerId: 'someone-else',
      command: { kind: 'verify' },
    });
    expect(await send({ kind: 'verify' }, null)).toEqual({ ok: true, value: [] });
    expect(events.filter((e) => e.type !== 'progress' && e.requestId === requestId)).toEqual([]);
  });

  it('should refuse, in words for the admin, what it cannot do', async () => {
    expect(await send({ kind: 'pull', id: 'tinny' })).toMatchObject({
      ok: false,
      code: 'BAD_REQUEST',
      message: expect.stringContaining('tiny'),
    });
    expect(await send({ kind: 'pull', id: 'export-only' })).toEqual({
      ok: false,
      code: 'BAD_REQUEST',
      message: 'export-only has no public download: Export it yourself.',
    });
    expect(await send({ kind: 'pull', id: 'tiny', precision: 'fp16' })).toEqual({
      ok: false,
      code: 'BAD_REQUEST',
      message: 'Model "tiny" has no fp16 variant (it has: fp32)',
    });
    expect(await send({ kind: 'cancelPull', id: 'tiny' })).toEqual({ ok: true, value: { cancelled: false } });
  });

  it('should import a file on its host only when its checksum matches', async () => {
    const good = `${dir}-good.onnx`;
    const bad = `${dir}-bad.onnx`;
    await writeFile(good, weights);
    await writeFile(
      bad,
      weights.map((b) => b ^ 1),
    );
    try {
      expect(await send({ kind: 'import', id: 'tiny', path: bad })).toMatchObject({
        ok: false,
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/sha256|checksum/i),
      });
      expect(await send({ kind: 'import', id: 'tiny', path: `${dir}-missing.onnx` })).toMatchObject({
        ok: false,
      });
      expect(await send({ kind: 'import', id: 'tiny', path: good })).toMatchObject({
        ok: true,
        value: { sha256, verified: true, path: path.join(dir, 'tiny', 'tiny.onnx') },
      });
      expect((await state()).models.find((m) => m.id === 'tiny')?.installed).toBe(true);
    } finally {
      await rm(good, { force: true });
      await rm(bad, { force: true });
    }
  });

  it('should log an unreadable command and go on', async () => {
    await redis.publish(`${prefix}:models:commands`, '{"requestId":"x","command":{"kind":"explode"}}');
    expect(await send({ kind: 'verify' })).toEqual({ ok: true, value: [] });
    expect(logs.find((l) => l.msg === 'unreadable model command; ignored')).toMatchObject({ level: 50 });
  });

  it('should cancel a running pull on stop, keep its .part and remove its state', async () => {
    await send({ kind: 'pull', id: 'slow' });
    const part = path.join(dir, 'slow', 'slow.onnx.part');
    await vi.waitFor(() => expect(progressOf('slow').at(-1)?.received).toBeGreaterThan(CHUNK), {
      timeout: 10_000,
    });
    await agent?.stop();
    agent = undefined;
    await vi.waitFor(() => expect(progressOf('slow').at(-1)).toMatchObject({ state: 'cancelled' }), {
      timeout: 10_000,
    });
    expect((await stat(part)).size).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'slow', 'slow.onnx'))).toBe(false);
    expect(await redis.exists(workerModelsKey(prefix, WORKER))).toBe(0);
  });
});
