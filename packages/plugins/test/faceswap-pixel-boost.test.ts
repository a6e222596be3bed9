// Pixel boost (FaceFusion processors/pixel_boost.py, docs/models/face.md §5.6): the tile arithmetic
// on a hand-built image, and a 2× swap equal to running the model by hand on the four interleaved
// tiles of a 512² crop, then pasting that crop through the returned mask and matrix.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createImage,
  decodeImage,
  fromCHW,
  type ModelManager,
  ort,
  pasteBack,
  type RgbImage,
  toCHW,
} from '@visage/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFaceSwapModels } from '../src/faceswap/acquire.ts';
import { alignForModel } from '../src/faceswap/align.ts';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import { FACESWAP_MODEL_SET } from '../src/faceswap/models.ts';
import { explodePixelBoost, implodePixelBoost } from '../src/faceswap/pixel-boost.ts';
import { FaceSwapProcessor } from '../src/faceswap/processor.ts';
import { settingsOf } from '../src/faceswap/run.ts';
import type { AnalysedFace } from '../src/faceswap/select.ts';
import { pixelBoostSize, swapCrop, swapFace } from '../src/faceswap/swap.ts';
import { SWAPPER_FIXTURE_SPECS } from '../src/testing/index.ts';
import { PluginInputError } from '../src/types.ts';
import { ASTRONAUT, FIXTURE_SPECS, fixtureModelManager, writeFixtureModels } from './support/faceswap.ts';

describe('implode and explode', () => {
  /** 4×4 RGB, byte k = k: pixel (y, x) holds 3(4y + x) + c. */
  const image = (): RgbImage => {
    const img = createImage(4, 4);
    img.data.forEach((_, k) => {
      img.data[k] = k;
    });
    return img;
  };
  // Tile (i, j) = pixels (2y + i, 2x + j), row by row, worked out by hand.
  const TILES = [
    [0, 1, 2, 6, 7, 8, 24, 25, 26, 30, 31, 32], // (0,0): pixels (0,0) (0,2) (2,0) (2,2)
    [3, 4, 5, 9, 10, 11, 27, 28, 29, 33, 34, 35], // (0,1): (0,1) (0,3) (2,1) (2,3)
    [12, 13, 14, 18, 19, 20, 36, 37, 38, 42, 43, 44], // (1,0): (1,0) (1,2) (3,0) (3,2)
    [15, 16, 17, 21, 22, 23, 39, 40, 41, 45, 46, 47], // (1,1): (1,1) (1,3) (3,1) (3,3)
  ];

  it('should cut N² strided tiles in FaceFusion’s order', () => {
    const tiles = implodePixelBoost(image(), 2);
    expect(tiles.map((t) => [t.width, t.height])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(tiles.map((t) => Array.from(t.data))).toEqual(TILES);
  });

  it('should interleave the tiles back', () => {
    const tiles = TILES.map((data) => ({
      width: 2,
      height: 2,
      channels: 3 as const,
      data: Uint8Array.from(data),
    }));
    expect(Array.from(explodePixelBoost(tiles, 2).data)).toEqual(Array.from(image().data));
  });

  it('should round-trip 3× on a 6×6 RGBA image, with tile (1, 2) = pixels (3y + 1, 3x + 2)', () => {
    const img = createImage(6, 6, 4);
    img.data.forEach((_, k) => {
      img.data[k] = (k * 7) % 251;
    });
    const tiles = implodePixelBoost(img, 3);
    expect(tiles).toHaveLength(9);
    // Tile 1·3 + 2, pixel (y 1, x 0) = image pixel (4, 2): bytes 4·(6·4 + 2) … + 3.
    const at = 4 * (6 * 4 + 2);
    expect(Array.from((tiles[5] as RgbImage).data.subarray(4 * 2, 4 * 3))).toEqual(
      Array.from(img.data.subarray(at, at + 4)),
    );
    expect(explodePixelBoost(tiles, 3)).toEqual(img);
    expect(implodePixelBoost(img, 1)[0]).toBe(img);
  });

  it('should refuse sizes that do not split', () => {
    expect(() => implodePixelBoost(createImage(5, 5), 2)).toThrow(/not a square of 2·S/);
    expect(() => implodePixelBoost(createImage(4, 4), 0)).toThrow(RangeError);
    expect(() => explodePixelBoost([createImage(2, 2)], 2)).toThrow(/needs 4 tiles, got 1/);
  });
});

describe('pixel boost in the swap', () => {
  const SOURCE = '0190c5a0-0000-7000-8000-00000000006a';
  let dir: string;
  let models: ModelManager;
  let astronaut: RgbImage;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'visage-pixel-boost-'));
    const files = await writeFixtureModels(dir, {
      arcface_w600k_r50: FIXTURE_SPECS.arcface_w600k_r50,
      ghost_1_256: SWAPPER_FIXTURE_SPECS.ghost_1_256,
      crossface_ghost: SWAPPER_FIXTURE_SPECS.crossface_ghost,
      simswap_unofficial_512: SWAPPER_FIXTURE_SPECS.simswap_unofficial_512,
      crossface_simswap: SWAPPER_FIXTURE_SPECS.crossface_simswap,
    });
    models = fixtureModelManager(files);
    astronaut = await decodeImage(ASTRONAUT);
  });
  afterAll(async () => {
    await models.unloadAll();
    await rm(dir, { recursive: true, force: true });
  });

  const input = (overrides: Record<string, unknown> = {}) =>
    faceswapPlugin.input.parse({ source: [SOURCE], target: SOURCE, ...overrides });

  async function prepared(swapper: 'ghost_1_256' | 'simswap_unofficial_512', pixelBoost: number) {
    const options = input({ swapper, pixelBoost });
    const acquired = await acquireFaceSwapModels((id) => models.acquire(id), options);
    const processor = new FaceSwapProcessor(acquired.models, settingsOf(options));
    await processor.setSources([{ name: 'a', image: astronaut }]);
    const [face] = (await processor.analyse(astronaut)).selected as [AnalysedFace];
    return { acquired, face, feed: processor.latent as Float32Array, paste: settingsOf(options).paste };
  }

  it('2× equals the model run by hand on the four interleaved tiles of the 512² crop', async () => {
    const { acquired, face, feed, paste } = await prepared('ghost_1_256', 2);
    try {
      const { swapper } = acquired.models;
      expect(paste.pixelBoost).toBe(2);
      // The target warped at 2·256 on arcface_112_v1, edge replicated (FaceFusion's warp).
      const aligned = alignForModel(
        astronaut,
        face.points,
        { ...FACESWAP_MODEL_SET.ghost_1_256.preprocess, size: 512 },
        { weights: face.alignWeights, border: 'replicate' },
      );
      // By hand: tile (i, j) = crop pixels (2y + i, 2x + j); each run with the same feed; ghost's
      // output de-normalised with its mean/std 0.5; the tiles put back at the same pixels.
      const byHand = createImage(512, 512);
      // The same four outputs laid side by side (quadrants), to show the interleaving matters.
      const quadrants = createImage(512, 512);
      let runs = 0;
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          const tile = createImage(256, 256);
          for (let y = 0; y < 256; y++) {
            for (let x = 0; x < 256; x++) {
              for (let c = 0; c < 3; c++) {
                tile.data[(y * 256 + x) * 3 + c] = aligned.crop.data[
                  ((2 * y + i) * 512 + 2 * x + j) * 3 + c
                ] as number;
              }
            }
          }
          const unit = { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 } as const;
          const out = await swapper.session.run({
            target: new ort.Tensor('float32', toCHW(tile, unit), [1, 3, 256, 256]),
            source: new ort.Tensor('float32', feed, [1, 512]),
          });
          runs++;
          const swapped = fromCHW(Object.values(out)[0]?.data as Float32Array, 256, 256, unit);
          for (let y = 0; y < 256; y++) {
            for (let x = 0; x < 256; x++) {
              for (let c = 0; c < 3; c++) {
                const v = swapped.data[(y * 256 + x) * 3 + c] as number;
                byHand.data[((2 * y + i) * 512 + 2 * x + j) * 3 + c] = v;
                quadrants.data[((256 * i + y) * 512 + 256 * j + x) * 3 + c] = v;
              }
            }
          }
        }
      }
      expect(runs).toBe(4);
      const before = swapper.session.stats().runs;
      const boosted = await swapCrop(swapper, aligned.crop, feed, 2);
      expect(swapper.session.stats().runs - before).toBe(4);
      expect(Buffer.from(boosted.data).equals(Buffer.from(byHand.data))).toBe(true);
      expect(Buffer.from(boosted.data).equals(Buffer.from(quadrants.data))).toBe(false);

      // swapFace pastes that crop through the mask and matrix it returns.
      const frame = { ...astronaut, data: Uint8Array.from(astronaut.data) };
      const result = await swapFace(swapper, frame, face, feed, paste);
      expect(result.size).toBe(512);
      expect(result.mask).toHaveLength(512 * 512);
      const expected = { ...astronaut, data: Uint8Array.from(astronaut.data) };
      expect(pasteBack(expected, byHand, result.cropToFrame, result.mask)).toEqual(result.rect);
      expect(Buffer.from(frame.data).equals(Buffer.from(expected.data))).toBe(true);
      expect(Buffer.from(frame.data).equals(Buffer.from(astronaut.data))).toBe(false);
    } finally {
      acquired.release();
    }
  });

  it('should refuse a crop over 1024 px, naming the limit', async () => {
    const { acquired, face, feed, paste } = await prepared('simswap_unofficial_512', 3);
    try {
      const frame = { ...astronaut, data: Uint8Array.from(astronaut.data) };
      const run = swapFace(acquired.models.swapper, frame, face, feed, paste);
      await expect(run).rejects.toThrow(PluginInputError);
      await expect(run).rejects.toThrow(
        'Pixel boost 3 would swap at 1536 px with simswap_unofficial_512 (512 px), over the 1024 px limit: use at most 2 with this swapper',
      );
      expect(Buffer.from(frame.data).equals(Buffer.from(astronaut.data))).toBe(true);
      expect(pixelBoostSize(acquired.models.swapper, 2)).toBe(1024);
    } finally {
      acquired.release();
    }
  });
});
