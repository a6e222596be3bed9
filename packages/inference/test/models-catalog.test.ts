// The model catalog: valid by its own schema, licences recorded, checksums well-formed, and the
// facts the plugins rely on (docs/models/*.md).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModel, findVariant, loadModelCatalog, MODEL_CATALOG } from '../src/models/catalog.ts';
import { modelCatalogSchema, parseCatalog } from '../src/models/schema.ts';

const variants = MODEL_CATALOG.flatMap((entry) => entry.variants.map((variant) => ({ entry, variant })));

describe('MODEL_CATALOG', () => {
  it('should pass its zod schema', () => {
    expect(modelCatalogSchema.safeParse(MODEL_CATALOG).success).toBe(true);
  });

  it('should cover the models of all three plugins', () => {
    const ids = MODEL_CATALOG.map((e) => e.id);
    for (const id of [
      'det_10g',
      'yoloface_8n',
      '2dfan4',
      '2d106det',
      'arcface_w600k_r50',
      'inswapper_128',
      'gfpgan_1.4',
      'codeformer',
      'liveportrait_appearance_feature_extractor',
      'liveportrait_motion_extractor',
      'liveportrait_warping_spade',
      'liveportrait_stitching',
      'liveportrait_stitching_eye',
      'liveportrait_stitching_lip',
      'liveportrait_landmark',
    ]) {
      expect(ids).toContain(id);
    }
    expect(MODEL_CATALOG.some((e) => e.plugin === 'wan')).toBe(true);
  });

  it('should record a licence with a URL for every entry', () => {
    for (const entry of MODEL_CATALOG) {
      expect(entry.licence.name, entry.id).not.toBe('');
      expect(entry.licence.url, entry.id).toMatch(/^https:\/\//);
      expect(typeof entry.licence.commercialUse, entry.id).toBe('boolean');
    }
  });

  it('should flag inswapper_128 (and the other InsightFace models) as non-commercial', () => {
    expect(findModel('inswapper_128').licence.commercialUse).toBe(false);
    expect(findModel('codeformer').licence.commercialUse).toBe(false);
    expect(findModel('liveportrait_warping_spade').licence.commercialUse).toBe(true);
    expect(findModel('wan2.1_vace_1.3b').licence.commercialUse).toBe(true);
  });

  it('should hold sha256 values of 64 lowercase hex characters or null, never anything else', () => {
    for (const { entry, variant } of variants) {
      if (variant.sha256 !== null)
        expect(variant.sha256, `${entry.id} ${variant.precision}`).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set(variants.map((v) => v.variant.sha256).filter(Boolean)).size).toBe(
      variants.filter((v) => v.variant.sha256).length,
    ); // no checksum copied onto two files
  });

  it('should carry the reference checksums and sizes of inswapper_128 fp32 and fp16', () => {
    const entry = findModel('inswapper_128');
    expect(findVariant(entry, 'fp32')).toMatchObject({
      sha256: 'e4a3f08c753cb72d04e10aa0f7dbe3deebbf39567d4ead6dce08e98aa49e16af',
      bytes: 554_253_681,
    });
    expect(findVariant(entry, 'fp16')).toMatchObject({
      file: 'inswapper_128_fp16.onnx',
      sha256: '98fae14454ae714f31b4fe43a8907661c6b496ccbc5cb62c7219d8196d92bf21',
      bytes: 277_680_829,
    });
  });

  it('should mirror the default variant at the entry level', () => {
    for (const entry of MODEL_CATALOG) {
      const [first] = entry.variants;
      expect({ file: entry.file, urls: entry.urls, sha256: entry.sha256, bytes: entry.bytes }).toEqual({
        file: first?.file,
        urls: first?.urls,
        sha256: first?.sha256,
        bytes: first?.bytes,
      });
    }
  });

  it('should keep warping_spade off CoreML (5-D GridSample)', () => {
    const { providers } = findModel('liveportrait_warping_spade');
    expect(providers).not.toContain('coreml');
    expect(providers).toContain('cpu');
    expect(findModel('liveportrait_motion_extractor').providers).toEqual(['cuda', 'coreml', 'cpu']);
  });

  it('should mark the Wan parts as export-required, with no URL and a note', () => {
    const wan = MODEL_CATALOG.filter((e) => e.plugin === 'wan');
    expect(wan.length).toBeGreaterThanOrEqual(3);
    for (const entry of wan) {
      expect(entry.availability).toBe('export-required');
      expect(entry.variants.every((v) => v.urls.length === 0)).toBe(true);
      expect(entry.note).toMatch(/import/);
    }
    for (const entry of MODEL_CATALOG.filter((e) => e.availability === 'download')) {
      expect(
        entry.variants.every((v) => v.urls.length > 0),
        entry.id,
      ).toBe(true);
    }
  });
});

describe(parseCatalog.name, () => {
  const good = MODEL_CATALOG.find((e) => e.id === 'det_10g');

  it('should reject a malformed checksum, naming the entry and field', () => {
    const bad = { ...good, sha256: 'ABC', variants: [{ ...good?.variants[0], sha256: 'ABC' }] };
    expect(() => parseCatalog([bad])).toThrow(/det_10g\.sha256: must be 64 lowercase hex characters/);
  });

  it('should reject duplicate ids and an entry without a licence', () => {
    expect(() => parseCatalog([good, good])).toThrow(/duplicate model id "det_10g"/);
    const { licence: _, ...unlicensed } = good ?? {};
    expect(() => parseCatalog([unlicensed])).toThrow(/det_10g\.licence/);
  });

  it('should reject entry fields that disagree with the first variant', () => {
    expect(() => parseCatalog([{ ...good, bytes: 1 }])).toThrow(/must equal the first variant/);
  });
});

describe(loadModelCatalog.name, () => {
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
      licence: { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' },
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
        JSON.stringify([entry('inswapper_128', 'a'.repeat(64)), entry('my_swapper', 'b'.repeat(64))]),
      );
      const catalog = loadModelCatalog(file);
      expect(catalog).toHaveLength(MODEL_CATALOG.length + 1);
      expect(findModel('inswapper_128', catalog)).toMatchObject({
        title: 'Private inswapper_128',
        sha256: 'a'.repeat(64),
      });
      expect(findModel('my_swapper', catalog).providers).toEqual(['cpu']);
      expect(findModel('det_10g', catalog)).toEqual(findModel('det_10g')); // the rest untouched
      expect(loadModelCatalog(undefined)).toBe(MODEL_CATALOG);

      await writeFile(file, JSON.stringify([{ ...entry('bad', 'c'.repeat(64)), sha256: 'XYZ' }]));
      expect(() => loadModelCatalog(file)).toThrow(/Invalid model catalog .*models\.json: bad\.sha256/);
      await writeFile(file, '{ not json');
      expect(() => loadModelCatalog(file)).toThrow(/Cannot read the model catalog .*models\.json/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
