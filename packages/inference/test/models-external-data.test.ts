// Models whose weights live in external data files beside the .onnx (docs/models/wan.md §9.4): a
// fixture model saved that way is downloaded from a local HTTP server, verified, loaded in
// onnxruntime-node and run; missing, truncated and wrong data files are each named; a folder is
// imported, and one missing a data file its graph refers to is refused.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadModel } from '../src/models/download.ts';
import { ChecksumError, ExternalDataError, ModelMissingError } from '../src/models/errors.ts';
import { type ModelCatalog, parseCatalog } from '../src/models/schema.ts';
import { ModelStore } from '../src/models/store.ts';
import { OnnxReadError, readExternalDataRefs } from '../src/onnx/external-data.ts';
import { buildFixtureModel, buildFixtureModelWithExternalData } from '../src/onnx/fixture.ts';
import { onnx } from '../src/onnx/proto.ts';
import { createSession, ort } from '../src/session/session.ts';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const licence = { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' };
const log = { warn: () => undefined, debug: () => undefined };

// y0 [1,4] and y1 [2,3]: each the mean of x plus a fixed pattern (fixture.ts), whose bytes live in
// the data files; `w` (64×64) is extra weight, so the first file is 16 KiB.
const W = Float32Array.from({ length: 64 * 64 }, (_, i) => i / 4096);
const FIXTURE = buildFixtureModelWithExternalData(
  {
    inputs: [{ name: 'x', dims: [1, 4] }],
    outputs: [
      { name: 'y0', dims: [1, 4] },
      { name: 'y1', dims: [2, 3] },
    ],
    initializers: [{ name: 'w', dims: [64, 64], data: W }],
  },
  ['tiny.onnx.data', 'tiny.onnx.data2'],
);
const MODEL = FIXTURE.model;
const DATA = FIXTURE.data.get('tiny.onnx.data') as Uint8Array;
const DATA2 = FIXTURE.data.get('tiny.onnx.data2') as Uint8Array;
const FILES: Record<string, Uint8Array> = {
  'tiny.onnx': MODEL,
  'tiny.onnx.data': DATA,
  'tiny.onnx.data2': DATA2,
};
const TOTAL = MODEL.length + DATA.length + DATA2.length;

/** Serves FILES with Range support, logging each request's path; `tamper` serves other bytes for a path. */
const requests: string[] = [];
const tampered = new Set<string>();
const server = http.createServer((req, res) => {
  const name = (req.url ?? '/').slice(1);
  requests.push(name);
  const original = FILES[name];
  if (!original) return res.writeHead(404).end();
  const body = tampered.has(name) ? Buffer.from(original).map((b) => b ^ 0xff) : Buffer.from(original);
  const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
  const headers = { 'content-length': body.length - start };
  if (start === 0) return res.writeHead(200, headers).end(body);
  res
    .writeHead(206, { ...headers, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` })
    .end(body.subarray(start));
});

let base = '';
let catalog: ModelCatalog;
let dir: string;
let store: ModelStore;

const dataFile = (file: string, bytes: Uint8Array) => ({
  file,
  urls: [`${base}/${file}`],
  sha256: sha(bytes),
  bytes: bytes.length,
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const variant = {
    precision: 'fp32',
    file: 'tiny.onnx',
    urls: [`${base}/tiny.onnx`],
    sha256: sha(MODEL),
    bytes: MODEL.length,
  };
  const exported = { precision: 'fp16', file: 'export_fp16.onnx', urls: [], sha256: null, bytes: null };
  catalog = parseCatalog([
    {
      id: 'tiny',
      title: 'Tiny model with two data files',
      plugin: 'wan',
      ...variant,
      residentBytes: null,
      licence,
      variants: [
        { ...variant, externalData: [dataFile('tiny.onnx.data', DATA), dataFile('tiny.onnx.data2', DATA2)] },
      ],
      providers: ['cpu'],
      availability: 'download',
    },
    {
      // A user's export: the catalog knows nothing of its data files; the graph says which.
      id: 'export',
      title: 'Export-only model',
      plugin: 'wan',
      ...exported,
      residentBytes: null,
      licence,
      variants: [exported],
      providers: ['cpu'],
      availability: 'export-required',
      note: 'export it',
    },
    {
      // fp32 first (the default), fp16 as tools/export-wan names it.
      id: 'twoway',
      title: 'Export-only model in two precisions',
      plugin: 'wan',
      ...exported,
      file: 'twoway_fp32.onnx',
      residentBytes: null,
      licence,
      variants: [
        { ...exported, precision: 'fp32', file: 'twoway_fp32.onnx' },
        { ...exported, file: 'twoway_fp16.onnx' },
      ],
      providers: ['cpu'],
      availability: 'export-required',
      note: 'export it',
    },
  ]);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

let scratch: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-external-'));
  scratch = await mkdtemp(path.join(os.tmpdir(), 'visage-export-'));
  store = new ModelStore(path.join(dir, 'models'), catalog);
  requests.length = 0;
  tampered.clear();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

const pull = (options: Parameters<typeof downloadModel>[2] = {}) =>
  downloadModel(store.entry('tiny').variants[0] as never, store.dirFor('tiny'), { retries: 0, ...options });
const inStore = (file: string) => path.join(store.dirFor('tiny'), file);

/** A folder as an exporter leaves it: the .onnx with its data files beside it. */
async function exportFolder(files: Record<string, Uint8Array>): Promise<string> {
  const folder = path.join(scratch, 'export');
  await mkdir(folder, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(folder, name), bytes);
  return folder;
}

/** Runs the session on x = 0.25 everywhere and checks y0/y1 against the fixture's formula. */
async function expectRuns(modelPath: string, id: string) {
  const session = await createSession(modelPath, { id, providers: ['cpu'], log });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', new Float32Array(4).fill(0.25), [1, 4]) });
    // fixture.ts: output o = mean(inputs) + 0.5·sin((i + 1)·0.7 + o), its pattern read from a data file.
    const expected = (o: number, count: number) =>
      Array.from({ length: count }, (_, i) => 0.25 + 0.5 * Math.sin((i + 1) * 0.7 + o));
    const y0 = Array.from(out.y0?.data as Float32Array);
    const y1 = Array.from(out.y1?.data as Float32Array);
    for (const [i, v] of expected(0, 4).entries()) expect(y0[i]).toBeCloseTo(v, 5);
    for (const [i, v] of expected(1, 6).entries()) expect(y1[i]).toBeCloseTo(v, 5);
  } finally {
    await session.release();
  }
}

describe('a model with external data', () => {
  it('should download every file, report progress over all of them, verify, load and run', async () => {
    const progress: [number, number | null][] = [];
    const result = await pull({ onProgress: (received, total) => progress.push([received, total]) });
    expect(requests).toEqual(['tiny.onnx.data', 'tiny.onnx.data2', 'tiny.onnx']); // the .onnx last
    expect(result).toMatchObject({ path: inStore('tiny.onnx'), bytes: TOTAL, sha256: sha(MODEL) });
    expect(result.files.map((f) => [path.basename(f.path), f.bytes])).toEqual([
      ['tiny.onnx.data', DATA.length],
      ['tiny.onnx.data2', DATA2.length],
      ['tiny.onnx', MODEL.length],
    ]);
    expect((await readFile(inStore('tiny.onnx.data'))).equals(DATA)).toBe(true);
    for (const [i, [received, total]] of progress.entries()) {
      expect(total).toBe(TOTAL);
      if (i > 0) expect(received).toBeGreaterThanOrEqual(progress[i - 1]?.[0] ?? 0);
    }
    expect(progress.at(-1)).toEqual([TOTAL, TOTAL]);

    const status = await store.status('tiny');
    expect(status.installed).toBe(true);
    expect(status.variants[0]).toMatchObject({ state: 'installed', bytes: TOTAL });
    expect(status.variants[0]?.externalData.map((d) => [d.file, d.state])).toEqual([
      ['tiny.onnx.data', 'installed'],
      ['tiny.onnx.data2', 'installed'],
    ]);
    expect((await store.verify('tiny')).map((r) => [path.basename(r.path), r.state])).toEqual([
      ['tiny.onnx', 'ok'],
      ['tiny.onnx.data', 'ok'],
      ['tiny.onnx.data2', 'ok'],
    ]);
    const location = await store.locate('tiny');
    expect(location).toMatchObject({ path: inStore('tiny.onnx'), bytes: TOTAL });
    await expectRuns(location.path, 'tiny');
  });

  it('should keep a data file already in place and intact when a pull resumes', async () => {
    await mkdir(store.dirFor('tiny'), { recursive: true });
    await writeFile(inStore('tiny.onnx.data'), DATA);
    expect((await store.status('tiny')).variants[0]).toMatchObject({
      state: 'missing',
      partBytes: DATA.length,
    });
    const result = await pull();
    expect(requests).toEqual(['tiny.onnx.data2', 'tiny.onnx']);
    expect(result.files[0]).toMatchObject({ url: null, bytes: DATA.length });
    expect((await store.status('tiny')).installed).toBe(true);
  });

  it('should download again a data file in place whose checksum is wrong', async () => {
    await mkdir(store.dirFor('tiny'), { recursive: true });
    await writeFile(
      inStore('tiny.onnx.data'),
      Buffer.from(DATA).map((b) => b ^ 1),
    );
    await pull();
    expect(requests).toEqual(['tiny.onnx.data', 'tiny.onnx.data2', 'tiny.onnx']);
    expect((await readFile(inStore('tiny.onnx.data'))).equals(DATA)).toBe(true);
  });

  it('should refuse a served data file with the wrong checksum, naming it, and install nothing', async () => {
    tampered.add('tiny.onnx.data2');
    const error = await pull().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumError);
    expect((error as Error).message).toContain(
      `sha256 mismatch for tiny.onnx.data2 from ${base}/tiny.onnx.data2: expected ${sha(DATA2)}`,
    );
    expect(requests).not.toContain('tiny.onnx');
    expect(existsSync(inStore('tiny.onnx.data2'))).toBe(false);
    expect((await store.status('tiny')).installed).toBe(false);
  });

  describe('when a data file is missing', () => {
    beforeEach(async () => {
      await pull();
      await rm(inStore('tiny.onnx.data2'));
    });

    it('should report the model damaged, naming the file, in status, verify and locate', async () => {
      const [variant] = (await store.status('tiny')).variants;
      expect(variant).toMatchObject({ state: 'corrupt', reason: 'data file tiny.onnx.data2 is missing' });
      expect(variant?.externalData[1]).toMatchObject({ file: 'tiny.onnx.data2', state: 'missing' });
      const results = await store.verify('tiny');
      expect(results.map((r) => [path.basename(r.path), r.state])).toEqual([
        ['tiny.onnx', 'ok'],
        ['tiny.onnx.data', 'ok'],
        ['tiny.onnx.data2', 'corrupt'],
      ]);
      expect(results[2]?.message).toBe('tiny (fp32) data file tiny.onnx.data2: missing');
      const expected =
        'Model "tiny" is damaged (data file tiny.onnx.data2 is missing). Get it again with: ' +
        'pnpm visage models pull tiny (or import a good copy: pnpm visage models import tiny <folder>)';
      expect(store.missingModels(['tiny'])?.message).toBe(expected);
      await expect(store.locate('tiny')).rejects.toBeInstanceOf(ModelMissingError);
      await expect(store.locate('tiny')).rejects.toThrow(expected);
    });

    it('should fail to create the session with an error naming the file and the command', async () => {
      const error = await createSession(inStore('tiny.onnx'), { id: 'tiny', providers: ['cpu'], log }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ExternalDataError);
      expect((error as Error).message).toBe(
        `Model "tiny" cannot be loaded: its data file tiny.onnx.data2 is missing (ONNX Runtime reads it from ` +
          `the folder of ${inStore('tiny.onnx')}). Get the model again with: pnpm visage models pull tiny ` +
          '(or, for a model you exported, import its folder: pnpm visage models import tiny <folder>)',
      );
    });

    it('should download only the missing file on the next pull', async () => {
      requests.length = 0;
      await pull();
      expect(requests).toEqual(['tiny.onnx.data2', 'tiny.onnx']);
      expect((await store.status('tiny')).installed).toBe(true);
    });
  });

  it('should report a truncated data file by its size and refuse to load it', async () => {
    await pull();
    await truncate(inStore('tiny.onnx.data'), 100);
    expect((await store.status('tiny')).variants[0]).toMatchObject({
      state: 'corrupt',
      reason: `data file tiny.onnx.data: size 100 B, expected ${DATA.length} B`,
    });
    const [, data] = await store.verify('tiny');
    expect(data?.message).toBe(
      `tiny (fp32) data file tiny.onnx.data: damaged (size 100 B, expected ${DATA.length} B)`,
    );
    // The graph reads w up to the end of the file: byte DATA.length.
    await expect(
      createSession(inStore('tiny.onnx'), { id: 'tiny', providers: ['cpu'], log }),
    ).rejects.toThrow(
      `its data file tiny.onnx.data is truncated (100 B; the graph reads up to byte ${DATA.length})`,
    );
  });

  it('should find a same-size wrong data file when verifying, naming it and both checksums', async () => {
    await pull();
    const wrong = Buffer.from(DATA2).map((b) => b ^ 0x0f);
    await writeFile(inStore('tiny.onnx.data2'), wrong);
    expect((await store.status('tiny')).installed).toBe(true); // sizes only
    const bad = (await store.verify('tiny')).filter((r) => r.state !== 'ok');
    expect(bad).toEqual([
      expect.objectContaining({
        path: inStore('tiny.onnx.data2'),
        state: 'mismatch',
        expected: sha(DATA2),
        actual: sha(wrong),
        message: `tiny (fp32) data file tiny.onnx.data2: sha256 mismatch, expected ${sha(DATA2)}, got ${sha(wrong)}`,
      }),
    ]);
  });

  it('should delete the data files with the model', async () => {
    await pull();
    expect(await store.remove('tiny')).toBe(true);
    expect(existsSync(inStore('tiny.onnx.data'))).toBe(false);
    expect(existsSync(inStore('tiny.onnx.data2'))).toBe(false);
  });
});

describe('importing a model with external data', () => {
  it('should import a folder: every file checked against the catalog and moved beside the .onnx', async () => {
    const folder = await exportFolder({
      'my-export.onnx': MODEL,
      'tiny.onnx.data': DATA,
      'tiny.onnx.data2': DATA2,
    });
    const result = await store.import('tiny', folder);
    expect(result).toMatchObject({ path: inStore('tiny.onnx'), verified: true, moved: true });
    expect(result.dataFiles.map((f) => [f.path, f.bytes, f.verified])).toEqual([
      [inStore('tiny.onnx.data'), DATA.length, true],
      [inStore('tiny.onnx.data2'), DATA2.length, true],
    ]);
    expect(existsSync(path.join(folder, 'tiny.onnx.data'))).toBe(false); // moved, same filesystem
    expect((await store.status('tiny')).installed).toBe(true);
    await expectRuns(inStore('tiny.onnx'), 'tiny');
  });

  it('should refuse a folder whose data file has the wrong checksum, leaving it untouched', async () => {
    const wrong = Buffer.from(DATA).map((b) => b ^ 0xff);
    const folder = await exportFolder({
      'tiny.onnx': MODEL,
      'tiny.onnx.data': wrong,
      'tiny.onnx.data2': DATA2,
    });
    const error = await store.import('tiny', folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumError);
    expect((error as Error).message).toBe(
      `sha256 mismatch for tiny.onnx.data from ${path.join(folder, 'tiny.onnx.data')}: expected ${sha(DATA)}, got ${sha(wrong)}`,
    );
    expect(existsSync(path.join(folder, 'tiny.onnx'))).toBe(true);
    expect(existsSync(inStore('tiny.onnx'))).toBe(false);
    expect(existsSync(inStore('tiny.onnx.data2'))).toBe(false); // nothing moves until all is checked
  });

  it('should import an export the catalog lists no data files for, found from its graph', async () => {
    const folder = await exportFolder({
      'model.onnx': MODEL,
      'tiny.onnx.data': DATA,
      'tiny.onnx.data2': DATA2,
    });
    // The .onnx named on its own: its data files come from beside it.
    const result = await store.import('export', path.join(folder, 'model.onnx'));
    const target = path.join(store.dirFor('export'), 'export_fp16.onnx');
    expect(result).toMatchObject({ path: target, verified: false, precision: 'fp16', sha256: sha(MODEL) });
    expect(result.dataFiles.map((f) => [path.basename(f.path), f.sha256, f.verified])).toEqual([
      ['tiny.onnx.data', sha(DATA), false],
      ['tiny.onnx.data2', sha(DATA2), false],
    ]);
    expect((await store.status('export')).installed).toBe(true);
    const results = await store.verify('export');
    expect(results.map((r) => [path.basename(r.path), r.state])).toEqual([
      ['export_fp16.onnx', 'unverified'],
      ['tiny.onnx.data', 'unverified'],
      ['tiny.onnx.data2', 'unverified'],
    ]);
    await expectRuns(target, 'export');
  });

  it('should take the precision a file is named for when none is given, else the default', async () => {
    const fp16 = await exportFolder({
      'twoway_fp16.onnx': MODEL,
      'tiny.onnx.data': DATA,
      'tiny.onnx.data2': DATA2,
    });
    const named = await store.import('twoway', fp16);
    expect([named.precision, path.basename(named.path)]).toEqual(['fp16', 'twoway_fp16.onnx']);
    await rm(fp16, { recursive: true, force: true });
    const other = await exportFolder({
      'model.onnx': MODEL,
      'tiny.onnx.data': DATA,
      'tiny.onnx.data2': DATA2,
    });
    const unnamed = await store.import('twoway', other);
    expect([unnamed.precision, path.basename(unnamed.path)]).toEqual(['fp32', 'twoway_fp32.onnx']);
  });

  it('should refuse a folder missing a data file its graph refers to, naming it', async () => {
    const folder = await exportFolder({ 'model.onnx': MODEL, 'tiny.onnx.data': DATA });
    await expect(store.import('export', folder)).rejects.toThrow(
      `Cannot import export (fp16): data file tiny.onnx.data2 is missing from ${folder} (its graph reads weights from it)`,
    );
    expect(existsSync(path.join(store.dirFor('export'), 'tiny.onnx.data'))).toBe(false);
  });

  it('should refuse a data file shorter than the graph reads', async () => {
    const folder = await exportFolder({
      'model.onnx': MODEL,
      'tiny.onnx.data': DATA.subarray(0, 50),
      'tiny.onnx.data2': DATA2,
    });
    await expect(store.import('export', folder)).rejects.toThrow(
      `Cannot import export (fp16): data file tiny.onnx.data is 50 bytes, but the graph reads up to byte ${DATA.length} of it (truncated?)`,
    );
  });

  it('should report a referenced data file lost after import when verifying and loading', async () => {
    const folder = await exportFolder({
      'model.onnx': MODEL,
      'tiny.onnx.data': DATA,
      'tiny.onnx.data2': DATA2,
    });
    const { path: target } = await store.import('export', folder);
    await rm(path.join(path.dirname(target), 'tiny.onnx.data2'));
    const lost = (await store.verify('export')).find((r) => r.state !== 'unverified');
    expect(lost).toMatchObject({
      state: 'corrupt',
      message: 'export (fp16) data file tiny.onnx.data2: missing',
    });
    await expect(createSession(target, { id: 'export', providers: ['cpu'], log })).rejects.toThrow(
      'Model "export" cannot be loaded: its data file tiny.onnx.data2 is missing',
    );
  });

  it('should tell to import a damaged export-only model again, not to pull it', async () => {
    const folder = await exportFolder({
      'model.onnx': MODEL,
      'tiny.onnx.data': DATA,
      'tiny.onnx.data2': DATA2,
    });
    const { path: target } = await store.import('export', folder);
    await truncate(target, 10); // held to the size recorded at import
    expect(store.missingModels(['export'])?.message).toBe(
      `Model "export" is damaged (size 10 B, when it was installed ${MODEL.length} B). ` +
        'Import a good copy with: pnpm visage models import export <file or folder>',
    );
  });

  it('should refuse a folder with no .onnx, or several without the catalog name', async () => {
    await expect(store.import('export', await exportFolder({ 'tiny.onnx.data': DATA }))).rejects.toThrow(
      'holds no .onnx file',
    );
    const several = await exportFolder({ 'a.onnx': MODEL, 'b.onnx': MODEL });
    await expect(store.import('export', several)).rejects.toThrow(
      'holds several .onnx files (a.onnx, b.onnx); name the one to import, or call it export_fp16.onnx',
    );
  });
});

describe(readExternalDataRefs.name, () => {
  it('should find the references onnx-proto decodes, without loading the weights', async () => {
    const file = path.join(scratch, 'm.onnx');
    await writeFile(file, MODEL);
    // Independently: decode the whole model and list the external tensors' entries.
    const decoded = onnx.ModelProto.decode(MODEL).graph?.initializer ?? [];
    const expected = decoded
      .filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
      .map((t) => {
        const entry = (key: string) => t.externalData?.find((e) => e.key === key)?.value;
        return {
          tensor: t.name,
          location: entry('location'),
          offset: Number(entry('offset')),
          length: Number(entry('length')),
        };
      });
    expect(expected).toHaveLength(3);
    expect(await readExternalDataRefs(file)).toEqual(expected);
  });

  it('should find none in a model holding its weights inline, and refuse a file that is not ONNX', async () => {
    const inline = path.join(scratch, 'inline.onnx');
    await writeFile(
      inline,
      buildFixtureModel({ inputs: [{ name: 'x', dims: [1] }], outputs: [{ name: 'y', dims: [1] }] }),
    );
    expect(await readExternalDataRefs(inline)).toEqual([]);
    const garbage = path.join(scratch, 'garbage.onnx');
    await writeFile(garbage, Buffer.from('\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff', 'latin1'));
    await expect(readExternalDataRefs(garbage)).rejects.toBeInstanceOf(OnnxReadError);
  });
});

describe('catalog entries with external data', () => {
  const entry = (externalData: unknown[]) => ({
    id: 'x',
    title: 'x',
    plugin: 'wan',
    file: 'x.onnx',
    urls: ['https://example.org/x.onnx'],
    sha256: null,
    bytes: null,
    residentBytes: null,
    licence,
    variants: [
      {
        precision: 'fp32',
        file: 'x.onnx',
        urls: ['https://example.org/x.onnx'],
        sha256: null,
        bytes: null,
        externalData,
      },
    ],
    providers: ['cpu'],
    availability: 'download',
  });

  it('should refuse a data file named like another file, or a downloadable one without a URL', () => {
    const named = (file: string, urls = ['https://example.org/d']) => ({
      file,
      urls,
      sha256: null,
      bytes: null,
    });
    expect(() => parseCatalog([entry([named('x.onnx')])])).toThrow('x: file names used twice: x.onnx');
    expect(() => parseCatalog([entry([named('x.onnx.data', [])])])).toThrow(
      'a downloadable model needs at least one URL per variant and per data file',
    );
    expect(() => parseCatalog([entry([named('x.onnx.data.part')])])).toThrow(
      '".part" and ".size" are reserved',
    );
    expect(parseCatalog([entry([named('x.onnx.data')])])[0]?.variants[0]?.externalData).toHaveLength(1);
  });
});
