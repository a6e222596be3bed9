// The models router against a local HTTP server that stands in for the model mirrors.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseCatalog } from '@visage/inference/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi } from './support.ts';

const weights = new Uint8Array(256 * 1024).map((_, i) => (i * 31) % 251);
let server: Server;
let api: Awaited<ReturnType<typeof createTestApi>>;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/tiny.onnx') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': weights.length });
    res.end(weights);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const variant = {
    precision: 'fp32',
    file: 'tiny.onnx',
    urls: [`${base}/tiny.onnx`],
    sha256: createHash('sha256').update(weights).digest('hex'),
    bytes: weights.length,
  };
  const licence = { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' };
  const catalog = parseCatalog([
    {
      id: 'tiny',
      title: 'Tiny',
      plugin: 'shared',
      ...variant,
      residentBytes: null,
      licence,
      variants: [variant],
      providers: ['cpu'],
      availability: 'download',
    },
    {
      id: 'export-only',
      title: 'Export only',
      plugin: 'wan',
      file: 'e.onnx',
      urls: [],
      sha256: null,
      bytes: null,
      residentBytes: null,
      licence: { ...licence, commercialUse: false },
      variants: [{ precision: 'fp32', file: 'e.onnx', urls: [], sha256: null, bytes: null }],
      providers: ['cpu'],
      availability: 'export-required',
      note: 'Export it yourself.',
    },
  ]);
  api = await createTestApi({ modelCatalog: catalog });
});

afterAll(async () => {
  await api.close();
  server.close();
});

describe('models router', () => {
  let admin: Awaited<ReturnType<typeof api.callerFor>>;
  let user: Awaited<ReturnType<typeof api.callerFor>>;

  beforeAll(async () => {
    admin = await api.callerFor((await api.signUp('admin@example.com')).body.user?.id ?? '');
    await api.services.db.appSetting.create({ data: { key: 'signupOpen', value: true } });
    user = await api.callerFor((await api.signUp('user@example.com')).body.user?.id ?? '');
  });

  it('should list the catalog with licences and install state', async () => {
    expect(await user.models.forJob({ plugin: 'test', options: { model: 'tiny' } })).toEqual([
      {
        id: 'tiny',
        title: 'Tiny',
        required: true,
        inCatalog: true,
        installed: false,
        bytes: weights.length,
        licence: { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' },
        availability: 'download',
        pullCommand: 'pnpm visage models pull tiny',
      },
    ]);
    const [unknown] = await user.models.forJob({ plugin: 'test', options: { model: 'no-such-model' } });
    expect(unknown).toMatchObject({ id: 'no-such-model', inCatalog: false, installed: false, licence: null });
    expect(await user.models.forJob({ plugin: 'test', options: { steps: 'many' } })).toEqual([]);
    await expect(user.models.forJob({ plugin: 'faceswap', options: {} })).rejects.toMatchObject({
      code: 'NOT_FOUND', // not enabled in this API
    });
    const models = await user.models.list();
    expect(models.map((m) => [m.id, m.installed, m.licence.commercialUse])).toEqual([
      ['tiny', false, true],
      ['export-only', false, false],
    ]);
    expect(models[0]?.importCommand).toBe('pnpm visage models import tiny <file>');
  });

  it('should let only an admin pull, verify or cancel', async () => {
    await expect(user.models.pull({ id: 'tiny' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(user.models.verify({})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(user.models.cancelPull({ id: 'tiny' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('should download a model with progress to the end, then show it installed and verified', async () => {
    const started = await admin.models.pull({ id: 'tiny' });
    expect(started).toMatchObject({ id: 'tiny', state: 'running' });
    const events: { state: string; received: number }[] = [];
    for await (const event of await admin.models.onPull({ id: 'tiny' })) {
      // Typed as { id, data }, but an in-process caller gets tracked events as [id, data] pairs.
      const pair = event as unknown as [string, { state: string; received: number }];
      events.push(pair[1]);
    }
    expect(events.at(-1)).toMatchObject({ state: 'done', received: weights.length });
    const received = events.map((e) => e.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect((await user.models.list())[0]?.installed).toBe(true);
    expect((await user.models.forJob({ plugin: 'test', options: { model: 'tiny' } }))[0]?.installed).toBe(
      true,
    );
    expect(await admin.models.verify({ id: 'tiny' })).toEqual([
      expect.objectContaining({ id: 'tiny', state: 'ok' }),
    ]);
  });

  it('should import a file on the server only when its checksum matches, for admins only', async () => {
    const good = path.join(api.modelsDir, '..', `${path.basename(api.modelsDir)}-good.onnx`);
    const bad = path.join(api.modelsDir, '..', `${path.basename(api.modelsDir)}-bad.onnx`);
    await writeFile(good, weights);
    await writeFile(
      bad,
      weights.map((b) => b ^ 1),
    );
    await expect(user.models.import({ id: 'tiny', path: good })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(admin.models.import({ id: 'tiny', path: 'relative.onnx' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(admin.models.import({ id: 'tiny', path: bad })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/sha256|checksum/i),
    });
    await admin.models.import({ id: 'tiny', path: good });
    expect(await admin.models.verify({ id: 'tiny' })).toEqual([expect.objectContaining({ state: 'ok' })]);
    await rm(bad, { force: true });
    await rm(good, { force: true });
  });

  it('should refuse unknown models and models without a download, and a cancel with nothing running', async () => {
    await expect(admin.models.pull({ id: 'tinny' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('tiny'),
    });
    await expect(admin.models.pull({ id: 'export-only' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'export-only has no public download: Export it yourself.',
    });
    await expect(admin.models.cancelPull({ id: 'tiny' })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
