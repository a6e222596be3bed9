// The 256/512-px swappers (docs/models/face.md §5.6): each family's `source` feed against values
// worked out by hand (or from the converter run on its own), FaceFusion's templates, each family's
// output read as FaceFusion reads it, a swap on astronaut.png that stays inside its rectangle, and
// auto's choice. Fixture models with the real I/O, the real BlazeFace.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ARCFACE_112_V1_TEMPLATE,
  decodeImage,
  fromCHW,
  type ModelManager,
  ModelMissingError,
  ort,
  type RgbImage,
  toCHW,
} from '@visage/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFaceSwapModels } from '../src/faceswap/acquire.ts';
import { alignForModel, type FivePoints } from '../src/faceswap/align.ts';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import type { SwapperModel } from '../src/faceswap/model-ids.ts';
import { FACESWAP_MODEL_SET } from '../src/faceswap/models.ts';
import { FaceSwapProcessor } from '../src/faceswap/processor.ts';
import { settingsOf } from '../src/faceswap/run.ts';
import type { AnalysedFace } from '../src/faceswap/select.ts';
import { swapCrop, swapFace } from '../src/faceswap/swap.ts';
import { loadSwapper } from '../src/faceswap/swapper.ts';
import { LeaseSet } from '../src/leases.ts';
import { SWAPPER_FIXTURE_SPECS } from '../src/testing/index.ts';
import {
  ASTRONAUT,
  FIXTURE_SPECS,
  fixtureEmap,
  fixtureModelManager,
  writeFixtureModels,
} from './support/faceswap.ts';

const SOURCE = '0190c5a0-0000-7000-8000-00000000005a';
let dir: string;
let files: Record<string, string>;
let astronaut: RgbImage;
const managers: ModelManager[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-faceswap-swappers-'));
  files = await writeFixtureModels(dir, { ...FIXTURE_SPECS, ...SWAPPER_FIXTURE_SPECS });
  astronaut = await decodeImage(ASTRONAUT);
});
afterAll(async () => {
  for (const m of managers) await m.unloadAll();
  await rm(dir, { recursive: true, force: true });
});

/** A ModelManager with only `ids` installed (and the bundled BlazeFace). */
function installed(...ids: string[]): ModelManager {
  const m = fixtureModelManager(Object.fromEntries(ids.map((id) => [id, files[id] as string])));
  managers.push(m);
  return m;
}

const input = (overrides: Record<string, unknown> = {}) =>
  faceswapPlugin.input.parse({ source: [SOURCE], target: SOURCE, ...overrides });

/** A raw ArcFace-like embedding: length ≈ 20, not normalised. */
const RAW = Float32Array.from({ length: 512 }, (_, i) => Math.sin(0.3 * i + 1) + 0.002 * i);
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

async function loaded(m: ModelManager, choice: 'auto' | SwapperModel) {
  const leases = new LeaseSet();
  try {
    return { swapper: await loadSwapper(leases, (id) => m.acquire(id), choice), leases };
  } catch (error) {
    leases.release();
    throw error;
  }
}

describe('source feeds (FaceFusion prepare_source_embedding)', () => {
  it('hyperswap: the normalised embedding', async () => {
    const { swapper, leases } = await loaded(installed('hyperswap_1a_256'), 'hyperswap_1a_256');
    try {
      const feed = await swapper.sourceFeed(RAW);
      const n = norm(RAW);
      expect(n).toBeGreaterThan(5);
      for (const i of [0, 1, 100, 511]) expect(feed[i]).toBeCloseTo((RAW[i] as number) / n, 6);
      expect(norm(feed)).toBeCloseTo(1, 6);
    } finally {
      leases.release();
    }
  });

  /** The fixture converter run on its own: input `input` [1,512] → its first output. */
  async function convertedByHand(m: ModelManager, id: string, raw: Float32Array) {
    const lease = await m.acquire(id);
    try {
      const out = await lease.session.run({ input: new ort.Tensor('float32', raw, [1, 512]) });
      return Float32Array.from(Object.values(out)[0]?.data as Float32Array);
    } finally {
      lease.release();
    }
  }

  it("ghost: the converter's output as it is, not normalised", async () => {
    const m = installed('ghost_1_256', 'crossface_ghost');
    const expected = await convertedByHand(m, 'crossface_ghost', RAW);
    const { swapper, leases } = await loaded(m, 'ghost_1_256');
    try {
      expect(swapper.converterId).toBe('crossface_ghost');
      const feed = await swapper.sourceFeed(RAW);
      expect(Array.from(feed)).toEqual(Array.from(expected));
      expect(norm(feed)).not.toBeCloseTo(1, 1); // the fixture's output is ≈ 8 long
      // Another identity, another feed.
      const other = await swapper.sourceFeed(RAW.map((v) => v + 0.5));
      expect(other[0]).not.toBeCloseTo(feed[0] as number, 3);
      expect(leases.used.map((u) => [u.id, u.role])).toEqual([
        ['ghost_1_256', 'swapper'],
        ['crossface_ghost', 'converter'],
      ]);
    } finally {
      leases.release();
    }
  });

  it("simswap: the converter's output, normalised", async () => {
    const m = installed('simswap_256', 'crossface_simswap');
    const converted = await convertedByHand(m, 'crossface_simswap', RAW);
    const { swapper, leases } = await loaded(m, 'simswap_256');
    try {
      const feed = await swapper.sourceFeed(RAW);
      const n = norm(converted);
      expect(n).not.toBeCloseTo(1, 1);
      for (const i of [0, 7, 300, 511]) expect(feed[i]).toBeCloseTo((converted[i] as number) / n, 6);
      expect(norm(feed)).toBeCloseTo(1, 6);
    } finally {
      leases.release();
    }
  });

  it('inswapper: raw · emap, normalised (unchanged)', async () => {
    const { swapper, leases } = await loaded(installed('inswapper_128'), 'inswapper_128');
    try {
      const feed = await swapper.sourceFeed(RAW);
      const emap = fixtureEmap();
      const product = new Float64Array(512);
      for (let i = 0; i < 512; i++)
        for (let j = 0; j < 512; j++)
          product[j] = (product[j] as number) + (RAW[i] as number) * (emap[i * 512 + j] as number);
      const n = Math.sqrt(product.reduce((s, x) => s + x * x, 0));
      for (const j of [0, 5, 256, 511]) expect(feed[j]).toBeCloseTo((product[j] as number) / n, 6);
    } finally {
      leases.release();
    }
  });

  it('should refuse an embedding that is not 512-d', async () => {
    const { swapper, leases } = await loaded(installed('hyperswap_1b_256'), 'hyperswap_1b_256');
    try {
      await expect(swapper.sourceFeed(new Float32Array(128))).rejects.toThrow(/512-d embedding, got 128/);
    } finally {
      leases.release();
    }
  });
});

describe('templates and crops (FaceFusion create_static_model_set, face_helper.py)', () => {
  // FaceFusion's WARP_TEMPLATE_SET['arcface_112_v1'], normalised.
  const V1 = [
    [0.35473214, 0.45658929],
    [0.64526786, 0.45658929],
    [0.5, 0.61154464],
    [0.37913393, 0.776875],
    [0.62086607, 0.776875],
  ];

  it('should hold arcface_112_v1 in 112-px units', () => {
    V1.forEach(([x, y], k) => {
      expect(ARCFACE_112_V1_TEMPLATE[k]?.[0]).toBeCloseTo((x as number) * 112, 5);
      expect(ARCFACE_112_V1_TEMPLATE[k]?.[1]).toBeCloseTo((y as number) * 112, 5);
    });
  });

  it.each([
    ['ghost_1_256', 256],
    ['simswap_256', 256],
    ['simswap_unofficial_512', 512],
  ] as const)('%s: aligns FaceFusion’s arcface_112_v1 × %i onto itself', (id, size) => {
    const preprocess = FACESWAP_MODEL_SET[id].preprocess;
    expect(preprocess.template).toBe('arcface_112_v1');
    const points = V1.map(([x, y]) => [(x as number) * size, (y as number) * size]) as unknown as FivePoints;
    const { matrix, residual, crop } = alignForModel(astronaut, points, preprocess);
    expect(crop.width).toBe(size);
    // FaceFusion rounds the normalised points to 8 decimals: a few 1e-6 px from the 112-px values.
    expect(residual).toBeLessThan(1e-4);
    for (const [k, want] of [1, 0, 0, 0, 1, 0].entries()) expect(matrix[k]).toBeCloseTo(want, 4);
  });

  it('hyperswap: arcface_128 at 256²', () => {
    // FaceFusion's WARP_TEMPLATE_SET['arcface_128'] × 256.
    const points = [
      [0.36167656, 0.40387734],
      [0.63696719, 0.40235469],
      [0.50019687, 0.56044219],
      [0.38710391, 0.72160547],
      [0.61507734, 0.72034453],
    ].map(([x, y]) => [(x as number) * 256, (y as number) * 256]) as unknown as FivePoints;
    const { matrix, residual } = alignForModel(
      astronaut,
      points,
      FACESWAP_MODEL_SET.hyperswap_1c_256.preprocess,
    );
    expect(residual).toBeLessThan(1e-3);
    for (const [k, want] of [1, 0, 0, 0, 1, 0].entries()) expect(matrix[k]).toBeCloseTo(want, 4);
  });
});

describe('each family’s output, read as FaceFusion normalize_crop_frame does', () => {
  // An aligned-looking 256² and 512² crop: a slice of the astronaut photo.
  const crop = (size: number): RgbImage => {
    const out = { width: size, height: size, channels: 3 as const, data: new Uint8Array(size * size * 3) };
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++)
        for (let c = 0; c < 3; c++) {
          out.data[(y * size + x) * 3 + c] = astronaut.data[((y % 512) * 512 + (x % 512)) * 3 + c] as number;
        }
    return out;
  };

  // FaceFusion: ghost and hyperswap are de-normalised (x·std + mean), SimSwap taken as 0..1 as it is.
  it.each([
    ['hyperswap_1a_256', 256, { mean: 0.5, std: 0.5 }, { mean: 0.5, std: 0.5 }],
    ['ghost_2_256', 256, { mean: 0.5, std: 0.5 }, { mean: 0.5, std: 0.5 }],
    ['simswap_256', 256, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }, { mean: 0, std: 1 }],
    ['simswap_unofficial_512', 512, { mean: 0, std: 1 }, { mean: 0, std: 1 }],
  ] as const)('%s', async (id, size, inNorm, outNorm) => {
    const m = installed(id, 'crossface_ghost', 'crossface_simswap');
    const { swapper, leases } = await loaded(m, id);
    try {
      const image = crop(size);
      const feed = await swapper.sourceFeed(RAW);
      const target = toCHW(image, { channelOrder: 'rgb', scale: 1 / 255, ...inNorm });
      const out = await swapper.session.run({
        target: new ort.Tensor('float32', target, [1, 3, size, size]),
        source: new ort.Tensor('float32', feed, [1, 512]),
      });
      const first = Object.values(out)[0]?.data as Float32Array;
      const byHand = fromCHW(first, size, size, { channelOrder: 'rgb', scale: 1 / 255, ...outNorm });
      const swapped = await swapCrop(swapper, image, feed, 1);
      expect(swapped.width).toBe(size);
      expect(Buffer.from(swapped.data).equals(Buffer.from(byHand.data))).toBe(true);
    } finally {
      leases.release();
    }
  });
});

describe('a 256-px swap on astronaut.png', () => {
  it.each(['ghost_1_256', 'hyperswap_1a_256', 'simswap_256'] as const)(
    '%s changes pixels only inside the returned rectangle',
    async (id) => {
      const m = installed('arcface_w600k_r50', id, 'crossface_ghost', 'crossface_simswap');
      const options = input({ swapper: id });
      const acquired = await acquireFaceSwapModels((x) => m.acquire(x), options);
      try {
        expect(acquired.models.swapper).toMatchObject({ id, auto: false, preprocess: { size: 256 } });
        const processor = new FaceSwapProcessor(acquired.models, settingsOf(options));
        await processor.setSources([{ name: 'a', image: astronaut }]);
        const [face] = (await processor.analyse(astronaut)).selected as [AnalysedFace];
        const frame = { ...astronaut, data: Uint8Array.from(astronaut.data) };
        const result = await swapFace(
          acquired.models.swapper,
          frame,
          face,
          processor.latent as Float32Array,
          settingsOf(options).paste,
        );
        expect(result.size).toBe(256);
        expect(result.mask).toHaveLength(256 * 256);
        const { rect } = result;
        let inside = 0;
        let outside = 0;
        for (let y = 0; y < 512; y++) {
          for (let x = 0; x < 512; x++) {
            const i = (y * 512 + x) * 3;
            const changed = [0, 1, 2].some((c) => frame.data[i + c] !== astronaut.data[i + c]);
            if (!changed) continue;
            if (x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height) inside++;
            else outside++;
          }
        }
        expect(outside).toBe(0);
        expect(inside).toBeGreaterThan(0.3 * rect.width * rect.height);
        // The crop's centre lands between the eyes and the mouth (the eyes are near (203, 102), (247, 103)).
        const [a, b, tx, c, d, ty] = result.cropToFrame;
        const cx = (a as number) * 128 + (b as number) * 128 + (tx as number);
        const cy = (c as number) * 128 + (d as number) * 128 + (ty as number);
        expect(Math.abs(cx - 225)).toBeLessThan(15);
        expect(cy).toBeGreaterThan(103);
        const family = id.startsWith('hyperswap')
          ? []
          : [id.startsWith('ghost') ? 'crossface_ghost' : 'crossface_simswap'];
        expect(acquired.used.map((u) => u.id)).toEqual(['blazeface', 'arcface_w600k_r50', id, ...family]);
      } finally {
        acquired.release();
      }
    },
  );
});

describe('auto', () => {
  it('should take the best installed ghost first', async () => {
    const m = installed('inswapper_128', 'hyperswap_1a_256', 'ghost_1_256', 'ghost_2_256', 'crossface_ghost');
    const { swapper, leases } = await loaded(m, 'auto');
    try {
      expect(swapper).toMatchObject({ id: 'ghost_2_256', family: 'ghost', auto: true });
      expect(leases.used.map((u) => u.id)).toEqual(['ghost_2_256', 'crossface_ghost']);
    } finally {
      leases.release();
    }
  });

  it('should pass over a ghost without its converter, then take HyperSwap, SimSwap, inswapper in order', async () => {
    const pick = async (...ids: string[]) => {
      const { swapper, leases } = await loaded(installed(...ids), 'auto');
      leases.release();
      return [swapper.id, leases.used.map((u) => u.id)];
    };
    expect(await pick('ghost_3_256', 'hyperswap_1c_256', 'simswap_256', 'crossface_simswap')).toEqual([
      'hyperswap_1c_256',
      ['hyperswap_1c_256'],
    ]);
    expect(await pick('hyperswap_1b_256', 'hyperswap_1c_256')).toEqual([
      'hyperswap_1b_256',
      ['hyperswap_1b_256'],
    ]);
    expect(await pick('inswapper_128', 'simswap_256', 'simswap_unofficial_512', 'crossface_simswap')).toEqual(
      ['simswap_unofficial_512', ['simswap_unofficial_512', 'crossface_simswap']],
    );
    expect(await pick('inswapper_128', 'simswap_256')).toEqual(['inswapper_128', ['inswapper_128']]);
  });

  it('should say which swapper to pull when none is installed', async () => {
    const run = loaded(installed('arcface_w600k_r50', 'crossface_ghost'), 'auto');
    await expect(run).rejects.toThrow(ModelMissingError);
    await expect(run).rejects.toThrow(/^No face swapper is installed for swapper "auto"/);
    await expect(run).rejects.toThrow('Get them with: pnpm visage models pull ghost_3_256 crossface_ghost');
  });

  it('should name a chosen swapper’s missing converter, and record the choice as not auto', async () => {
    await expect(loaded(installed('ghost_1_256'), 'ghost_1_256')).rejects.toThrow(
      'Model "crossface_ghost" is not installed. Get it with: pnpm visage models pull crossface_ghost',
    );
    const { swapper, leases } = await loaded(
      installed('inswapper_128', 'ghost_1_256', 'crossface_ghost'),
      'inswapper_128',
    );
    leases.release();
    expect(swapper).toMatchObject({ id: 'inswapper_128', auto: false, converterId: null });
  });

  it('should refuse a file without the inputs a swapper takes', async () => {
    // The converter's file under a swapper's id: its only input is `input`.
    const m = fixtureModelManager({
      ghost_1_256: files.crossface_ghost as string,
      crossface_ghost: files.crossface_ghost as string,
    });
    managers.push(m);
    await expect(loaded(m, 'ghost_1_256')).rejects.toThrow(
      'ghost_1_256 takes the inputs input; a face swapper needs "target" and "source"',
    );
  });
});

describe('catalog entries (docs/models/face.md §9.1)', () => {
  it('should carry hyperswap_1a_256’s published checksum and size, fp16, from FaceFusion models-3.3.0', () => {
    expect(FACESWAP_MODEL_SET.hyperswap_1a_256.variants).toEqual([
      {
        precision: 'fp16',
        file: 'hyperswap_1a_256.onnx',
        urls: [
          'https://github.com/facefusion/facefusion-assets/releases/download/models-3.3.0/hyperswap_1a_256.onnx',
          'https://huggingface.co/facefusion/models-3.3.0/resolve/main/hyperswap_1a_256.onnx',
        ],
        sha256: 'c0e98a8a03a238f461ed3d2570e426b49f46745ee400854a60dceeb70c246add',
        bytes: 402_742_682,
      },
    ]);
  });

  it('should take the converters from models-3.4.0 and flag the non-commercial licences', () => {
    expect(FACESWAP_MODEL_SET.crossface_ghost.urls[0]).toBe(
      'https://github.com/facefusion/facefusion-assets/releases/download/models-3.4.0/crossface_ghost.onnx',
    );
    expect(FACESWAP_MODEL_SET.ghost_3_256.urls[1]).toBe(
      'https://huggingface.co/facefusion/models-3.0.0/resolve/main/ghost_3_256.onnx',
    );
    const licence = (id: keyof typeof FACESWAP_MODEL_SET) => [
      FACESWAP_MODEL_SET[id].licence.name,
      FACESWAP_MODEL_SET[id].licence.commercialUse,
    ];
    expect(licence('ghost_1_256')).toEqual(['Apache-2.0', true]);
    expect(licence('hyperswap_1b_256')).toEqual(['ResearchRAIL', false]);
    expect(licence('simswap_unofficial_512')).toEqual(['SimSwap (non-commercial)', false]);
  });
});
