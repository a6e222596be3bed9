// The catalog machinery: entries defined from specs, the schema's checks (checksums, ids, the
// `preprocess` block), assembling model sets, VISAGE_MODEL_CATALOG overrides and lookups. The facts
// of each real model are checked next to the plugins (packages/plugins/test/model-sets.test.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  assembleCatalog,
  defineModel,
  findModel,
  findVariant,
  fp32Variant,
  loadModelCatalog,
} from '../src/models/catalog.ts';
import { parseCatalog } from '../src/models/schema.ts';

const licence = { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' };
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const detector = defineModel({
  id: 'det',
  title: 'A detector',
  plugin: 'shared',
  licence,
  variants: [fp32Variant('det.onnx', ['https://example.org/det.onnx'], SHA_A, 1000)],
  preprocess: {
    size: 640,
    layout: 'nchw',
    normalize: { channelOrder: 'rgb', scale: 1, mean: 127.5, std: 128 },
  },
});
const swapper = defineModel({
  id: 'swapper',
  title: 'A swapper',
  plugin: 'faceswap',
  licence: { ...licence, commercialUse: false },
  residentBytes: 5000,
  providers: ['cuda', 'cpu'],
  variants: [
    fp32Variant('swapper.onnx', ['https://example.org/s.onnx'], SHA_B, 2000),
    {
      precision: 'fp16',
      file: 'swapper_fp16.onnx',
      urls: ['https://example.org/s16.onnx'],
      sha256: null,
      bytes: null,
    },
  ],
  preprocess: {
    size: 128,
    layout: 'nchw',
    normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0, std: 1 },
    template: 'arcface_128',
  },
});
const exported = defineModel({
  id: 'big',
  title: 'Export it yourself',
  plugin: 'wan',
  licence,
  availability: 'export-required',
  note: 'export it and import it',
  variants: [fp32Variant('big.onnx', [], null, null)],
});

describe(defineModel.name, () => {
  it('should repeat the default variant at the entry level and fill the defaults', () => {
    expect(detector).toMatchObject({
      file: 'det.onnx',
      urls: ['https://example.org/det.onnx'],
      sha256: SHA_A,
      bytes: 1000,
      residentBytes: null,
      providers: ['cuda', 'coreml', 'cpu'],
      availability: 'download',
    });
    expect(detector.preprocess.size).toBe(640); // typed as present: no check needed by the code
    expect(swapper).toMatchObject({ residentBytes: 5000, providers: ['cuda', 'cpu'], sha256: SHA_B });
    expect('preprocess' in exported).toBe(false);
  });
});

describe(assembleCatalog.name, () => {
  it('should join the model sets in order and validate them as one catalog', () => {
    const catalog = assembleCatalog([[detector], [swapper, exported]]);
    expect(catalog.map((e) => e.id)).toEqual(['det', 'swapper', 'big']);
    expect(findModel('swapper', catalog).preprocess).toEqual(swapper.preprocess);
    expect(findVariant(findModel('swapper', catalog), 'fp16').file).toBe('swapper_fp16.onnx');
  });

  it('should refuse an id that two sets declare, and a bad entry, naming it', () => {
    expect(() => assembleCatalog([[detector], [detector]])).toThrow(/duplicate model id "det"/);
    expect(() => assembleCatalog([[{ ...detector, sha256: 'ABC' }]])).toThrow(
      /det\.sha256: must be 64 lowercase hex characters/,
    );
  });
});

describe(parseCatalog.name, () => {
  it('should reject a malformed checksum, naming the entry and field', () => {
    const bad = { ...detector, sha256: 'ABC', variants: [{ ...detector.variants[0], sha256: 'ABC' }] };
    expect(() => parseCatalog([bad])).toThrow(/det\.sha256: must be 64 lowercase hex characters/);
  });

  it('should reject duplicate ids and an entry without a licence', () => {
    expect(() => parseCatalog([detector, detector])).toThrow(/duplicate model id "det"/);
    const { licence: _, ...unlicensed } = detector;
    expect(() => parseCatalog([unlicensed])).toThrow(/det\.licence/);
  });

  it('should reject entry fields that disagree with the first variant', () => {
    expect(() => parseCatalog([{ ...detector, bytes: 1 }])).toThrow(/must equal the first variant/);
  });

  it('should reject a preprocess block with an unknown template, a zero std or an unknown field', () => {
    const withPreprocess = (preprocess: unknown) => [{ ...swapper, preprocess }];
    const base = swapper.preprocess;
    expect(() => parseCatalog(withPreprocess({ ...base, template: 'arcface_256' }))).toThrow(
      /swapper\.preprocess\.template/,
    );
    expect(() =>
      parseCatalog(withPreprocess({ ...base, normalize: { ...base.normalize, std: [1, 0, 1] } })),
    ).toThrow(/swapper\.preprocess\.normalize\.std: must not be 0/);
    expect(() => parseCatalog(withPreprocess({ ...base, mean: 0.5 }))).toThrow(/swapper\.preprocess/);
    expect(() => parseCatalog(withPreprocess({ ...base, size: 0 }))).toThrow(/swapper\.preprocess\.size/);
  });

  it("should keep file names clear of the store's own suffixes", () => {
    for (const file of ['det.onnx.part', 'det.onnx.size']) {
      const variant = { ...detector.variants[0], file };
      expect(() => parseCatalog([{ ...detector, file, variants: [variant] }])).toThrow(
        /reserved for the store/,
      );
    }
  });
});

describe(loadModelCatalog.name, () => {
  const builtIn = assembleCatalog([[detector, swapper]]);
  const entry = (id: string, sha256: string) => {
    const variant = {
      precision: 'fp32',
      file: `${id}.onnx`,
      urls: ['https://example.org/m.onnx'],
      sha256,
      bytes: 10,
    };
    return {
      id,
      title: `Private ${id}`,
      plugin: 'faceswap',
      file: variant.file,
      urls: variant.urls,
      sha256,
      bytes: 10,
      residentBytes: null,
      licence,
      variants: [variant],
      providers: ['cpu'],
      availability: 'download',
    };
  };

  it('should replace entries with the same id and add new ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-catalog-'));
    try {
      const file = path.join(dir, 'models.json');
      await writeFile(
        file,
        JSON.stringify([entry('swapper', 'c'.repeat(64)), entry('my_swapper', 'd'.repeat(64))]),
      );
      const catalog = loadModelCatalog(builtIn, file);
      expect(catalog).toHaveLength(builtIn.length + 1);
      expect(findModel('swapper', catalog)).toMatchObject({
        title: 'Private swapper',
        sha256: 'c'.repeat(64),
      });
      expect(findModel('my_swapper', catalog).providers).toEqual(['cpu']);
      expect(findModel('det', catalog)).toEqual(findModel('det', builtIn)); // the rest untouched
      expect(loadModelCatalog(builtIn, undefined)).toBe(builtIn);

      await writeFile(file, JSON.stringify([{ ...entry('bad', 'e'.repeat(64)), sha256: 'XYZ' }]));
      expect(() => loadModelCatalog(builtIn, file)).toThrow(
        /Invalid model catalog .*models\.json: bad\.sha256/,
      );
      await writeFile(file, '{ not json');
      expect(() => loadModelCatalog(builtIn, file)).toThrow(/Cannot read the model catalog .*models\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
