// Occlusion and region masks: the resize and finishing maths by hand, and their effect on a swap
// with stub mask models whose answers are known (left half occluded; lower half not face).

import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ARCFACE_128_TEMPLATE,
  applyAffine,
  decodeImage,
  estimateSimilarity,
  type ModelManager,
  type ModelSession,
  ort,
  type RgbImage,
} from '@visage/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireFaceSwapModels } from '../src/faceswap/acquire.ts';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import { faceMask, finishMask, intersectMasks, resizeMask } from '../src/faceswap/masks.ts';
import { FaceSwapProcessor } from '../src/faceswap/processor.ts';
import { settingsOf } from '../src/faceswap/run.ts';
import type { AnalysedFace } from '../src/faceswap/select.ts';
import { swapFace } from '../src/faceswap/swap.ts';
import {
  ASTRONAUT,
  fixtureModelManager,
  imageAsset,
  recordingContext,
  writeFixtureModels,
} from './support/faceswap.ts';

describe('mask maths', () => {
  it("should resize bilinearly with OpenCV's pixel-centre alignment", () => {
    // 2×1 [0, 1] → 4×1: source x = (x + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 → clamped 0, .25, .75, 1.
    expect(Array.from(resizeMask(new Float32Array([0, 1]), 2, 1, 4, 1))).toEqual([0, 0.25, 0.75, 1]);
    // 4×1 → 2×1 samples at 0.5 and 2.5: the means of neighbouring pairs.
    expect(Array.from(resizeMask(new Float32Array([0, 1, 2, 3]), 4, 1, 2, 1))).toEqual([0.5, 2.5]);
    expect(() => resizeMask(new Float32Array(3), 2, 2, 4, 4)).toThrow(RangeError);
  });

  it('should clip, blur and map [0.5, 1] onto [0, 1]', () => {
    const flat = (v: number) => finishMask(new Float32Array(100).fill(v), 10, 10);
    expect(flat(1)[55]).toBeCloseTo(1, 6);
    expect(flat(0.75)[55]).toBeCloseTo(0.5, 6);
    expect(flat(0.4)[55]).toBe(0);
    expect(flat(3)[55]).toBeCloseTo(1, 6); // clipped first
    expect(Array.from(intersectMasks(new Float32Array([0.2, 0.9]), new Float32Array([0.5, 0.1])))).toEqual([
      Math.fround(0.2),
      Math.fround(0.1),
    ]);
  });
});

// FaceFusion's create_box_mask by hand: blur_amount = int(0.5·size·blur), blur_area = max(blur_amount // 2, 1),
// zero strips max(blur_area, int(size·padding/100)) per side (top, right, bottom, left), σ = blur_amount/4.
describe('box mask padding per side', () => {
  it('should zero each side by its own padding (blur 0: a hard box)', () => {
    // 128², padding 10/20/30/40 %: strips int(12.8) = 12 top, int(25.6) = 25 right, int(38.4) = 38
    // bottom, int(51.2) = 51 left; blur 0 → blur_area 1, no Gaussian. Ones: rows 12..89, columns 51..102.
    const mask = faceMask(128, { maskBlur: 0, maskPadding: [10, 20, 30, 40] });
    let ones = 0;
    for (let y = 0; y < 128; y++) {
      for (let x = 0; x < 128; x++) {
        const inside = y >= 12 && y < 90 && x >= 51 && x < 103;
        expect(mask[y * 128 + x]).toBe(inside ? 1 : 0);
        ones += mask[y * 128 + x] ?? 0;
      }
    }
    expect(ones).toBe(78 * 52);
  });

  it('should keep blur_area as the least strip and blur every edge as cv2 does', () => {
    // 128², blur 0.3: blur_amount int(19.2) = 19, blur_area 9, σ 4.75. Padding [10, 0, 25, 5]:
    // top max(9, 12) = 12, right 9, bottom max(9, 32) = 32, left max(9, int(6.4) = 6) = 9.
    const mask = faceMask(128, { maskBlur: 0.3, maskPadding: [10, 0, 25, 5] });
    const rows = [0, 4, 8, 9, 11, 12, 16, 20, 30];
    // Down the middle column the top edge is cv2's blur of a 12-row strip, σ 4.75 (FaceFusion 3.8.1's
    // create_box_mask at 10 % padding, the values of test/image-mask.test.ts in packages/inference).
    const top = [
      0.0152475, 0.0573418, 0.2301835, 0.2989878, 0.4580044, 0.5419955, 0.8287343, 0.9635147, 0.9999717,
    ];
    expect(rows.map((y) => mask[y * 128 + 64])).toEqual(top.map((v) => expect.closeTo(v, 5)));
    // Across the middle row both sides have the 9-column strip of the default (blur 0.3, no padding).
    const side = [0.0729707, 0.1754355, 0.4582355, 0.5420877, 0.7010123, 0.7698165, 0.943178, 0.9923761, 1];
    expect(rows.map((x) => mask[64 * 128 + x])).toEqual(side.map((v) => expect.closeTo(v, 5)));
    expect(rows.map((x) => mask[64 * 128 + 127 - x])).toEqual(side.map((v) => expect.closeTo(v, 5)));
    // The bottom edge sits at row 128 − 32 = 96: 0.5 between rows 95 and 96, as the top's between 11 and 12.
    expect(mask[(127 - 32) * 128 + 64]).toBeCloseTo(0.5419955, 5);
    expect(mask[(127 - 32 + 1) * 128 + 64]).toBeCloseTo(0.4580044, 5);
    expect(mask[127 * 128 + 64]).toBeLessThan(1e-4);
  });

  it('should scale the strips with the crop: 256² at blur 0.3', () => {
    // blur_amount int(38.4) = 38, blur_area 19, σ 9.5; padding [10, 0, 25, 5] → strips 25, 19, 64, 19.
    // With a doubled σ and strip the profile is the 128² one stretched: the 0.5 crossing of the top
    // edge between rows 24 and 25, of the bottom between 191 and 192, of the left between 18 and 19.
    const mask = faceMask(256, { maskBlur: 0.3, maskPadding: [10, 0, 25, 5] });
    const at = (x: number, y: number) => mask[y * 256 + x] ?? Number.NaN;
    expect(at(128, 24)).toBeLessThan(0.5);
    expect(at(128, 25)).toBeGreaterThan(0.5);
    expect(at(128, 24) + at(128, 25)).toBeCloseTo(1, 4);
    expect(at(128, 191) + at(128, 192)).toBeCloseTo(1, 4);
    expect(at(128, 191)).toBeGreaterThan(0.5);
    expect(at(18, 128) + at(19, 128)).toBeCloseTo(1, 4);
    expect(at(237, 128) + at(236, 128)).toBeCloseTo(1, 4);
  });

  it('should reject a padding that is not four percentages', () => {
    expect(() => faceMask(128, { maskBlur: 0.3, maskPadding: [10, 0, 0] as never })).toThrow(
      /top, right, bottom, left/,
    );
    expect(() => faceMask(128, { maskBlur: 0.3, maskPadding: [0, 0, 0, 101] })).toThrow(/0\.\.100/);
  });
});

/** A ModelSession that answers every run with `output` (a mask model whose answer is known). */
function stubSession(id: string, input: { name: string; shape: number[] }, output: ort.Tensor): ModelSession {
  let runs = 0;
  return {
    id,
    provider: 'cpu',
    fallbacks: [],
    inputs: [{ name: input.name, type: 'float32', shape: input.shape }],
    outputs: [{ name: 'output', type: 'float32', shape: [...output.dims] }],
    run: async (feeds) => {
      const fed = feeds[input.name];
      if (!fed || fed.dims.join() !== input.shape.join())
        throw new Error(`${id}: fed ${fed?.dims.join('×')}`);
      runs++;
      return { output };
    },
    stats: () => ({ runs, totalMs: 0, lastMs: 0 }),
    release: async () => undefined,
  };
}

const SOURCE = '0190c5a0-0000-7000-8000-00000000002a';
let dir: string;
let models: ModelManager;
let astronaut: RgbImage;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-faceswap-masks-'));
  models = fixtureModelManager(await writeFixtureModels(dir));
  astronaut = await decodeImage(ASTRONAUT);
});
afterAll(async () => {
  await models.unloadAll();
  await rm(dir, { recursive: true, force: true });
});

const input = (overrides: Record<string, unknown> = {}) =>
  faceswapPlugin.input.parse({ source: [SOURCE], target: SOURCE, ...overrides });

describe('masked swaps', () => {
  async function swapWith(masks: Parameters<typeof swapFace>[5]) {
    const acquired = await acquireFaceSwapModels((id) => models.acquire(id), input());
    try {
      const processor = new FaceSwapProcessor(acquired.models, settingsOf(input()));
      await processor.setSources([{ name: 'a', image: astronaut }]);
      const [face] = (await processor.analyse(astronaut)).selected as [AnalysedFace];
      const frame = { ...astronaut, data: Uint8Array.from(astronaut.data) };
      const paste = { maskBlur: 0.3, maskPadding: [0, 0, 0, 0] as const, colorCorrection: false };
      await swapFace(acquired.models.swapper, frame, face, processor.latent as Float32Array, paste, masks);
      return { frame, toCrop: estimateSimilarity(face.points, ARCFACE_128_TEMPLATE, face.alignWeights) };
    } finally {
      acquired.release();
    }
  }

  /** Changed frame pixels, split by where they fall in the 128² crop. */
  function changes(
    frame: RgbImage,
    toCrop: ReturnType<typeof estimateSimilarity>,
    side: (cx: number, cy: number) => boolean,
  ) {
    let inSide = 0;
    let outSide = 0;
    for (let y = 0; y < frame.height; y++) {
      for (let x = 0; x < frame.width; x++) {
        const i = (y * frame.width + x) * 3;
        if (
          frame.data[i] === astronaut.data[i] &&
          frame.data[i + 1] === astronaut.data[i + 1] &&
          frame.data[i + 2] === astronaut.data[i + 2]
        )
          continue;
        const [cx, cy] = applyAffine(toCrop, [x + 0.5, y + 0.5]);
        if (side(cx, cy)) inSide++;
        else outSide++;
      }
    }
    return { inSide, outSide };
  }

  it('should leave what the occlusion model marks as covering the face untouched', async () => {
    // XSeg answer: the left half of its 256² view is occluded (0), the right half face (1).
    const xseg = new Float32Array(256 * 256);
    for (let y = 0; y < 256; y++) for (let x = 128; x < 256; x++) xseg[y * 256 + x] = 1;
    const occluder = stubSession(
      'xseg_1',
      { name: 'input', shape: [1, 256, 256, 3] },
      new ort.Tensor('float32', xseg, [1, 256, 256, 1]),
    );
    const { frame, toCrop } = await swapWith({ occluder });
    // In the 128² crop the step is at x = 64; after the σ 5 blur and the remap nothing left of 52 changes.
    const { inSide, outSide } = changes(frame, toCrop, (cx) => cx < 52);
    expect(inSide).toBe(0);
    expect(outSide).toBeGreaterThan(1000);
    expect(occluder.stats().runs).toBe(1);
  });

  it('should keep the occluded part through restoration too, judged again on the restore crop', async () => {
    const xseg = new Float32Array(256 * 256);
    for (let y = 0; y < 256; y++) for (let x = 128; x < 256; x++) xseg[y * 256 + x] = 1;
    const occluder = stubSession(
      'xseg_1',
      { name: 'input', shape: [1, 256, 256, 3] },
      new ort.Tensor('float32', xseg, [1, 256, 256, 1]),
    );
    const settings = input({ restore: 'gfpgan_1.4', restoreStrength: 100, occlusionMask: true });
    const acquired = await acquireFaceSwapModels((id) => models.acquire(id), settings);
    try {
      const processor = new FaceSwapProcessor({ ...acquired.models, occluder }, settingsOf(settings));
      await processor.setSources([{ name: 'a', image: astronaut }]);
      const analysis = await processor.analyse(astronaut);
      const [face] = analysis.selected as [AnalysedFace];
      const frame = { ...astronaut, data: Uint8Array.from(astronaut.data) };
      await processor.apply(frame, analysis);
      // XSeg ran on the swap's 128² crop and on the restore's 512² crop; the left of both is occluded,
      // so well left of the face's centre line nothing changed, not even by the restorer's resampling.
      const toCrop = estimateSimilarity(face.points, ARCFACE_128_TEMPLATE, face.alignWeights);
      const { inSide, outSide } = changes(frame, toCrop, (cx) => cx < 40);
      expect(inSide).toBe(0);
      expect(outSide).toBeGreaterThan(1000);
      expect(occluder.stats().runs).toBe(2);
    } finally {
      acquired.release();
    }
  });

  it('should paste only the face regions the parser finds', async () => {
    // BiSeNet answer: class 1 (skin) wins in the upper half, class 0 (background) in the lower half.
    const scores = new Float32Array(19 * 512 * 512);
    for (let y = 0; y < 512; y++) {
      for (let x = 0; x < 512; x++) scores[(y < 256 ? 1 : 0) * 512 * 512 + y * 512 + x] = 5;
    }
    const parser = stubSession(
      'bisenet',
      { name: 'input', shape: [1, 3, 512, 512] },
      new ort.Tensor('float32', scores, [1, 19, 512, 512]),
    );
    const { frame, toCrop } = await swapWith({ parser });
    const { inSide, outSide } = changes(frame, toCrop, (_cx, cy) => cy > 76);
    expect(inSide).toBe(0);
    expect(outSide).toBeGreaterThan(1000);
  });

  it('should run the plugin with both mask models at their real I/O and record them', async () => {
    const { ctx, outputs, metadata } = recordingContext(models, {
      [SOURCE]: imageAsset(ASTRONAUT, 'astronaut.png'),
    });
    await faceswapPlugin.run(ctx, input({ occlusionMask: true, regionMask: true }));
    expect(outputs).toHaveLength(1);
    const roles = (metadata.modelsUsed as { id: string; role: string }[]).map((m) => `${m.role}:${m.id}`);
    expect(roles).toEqual(expect.arrayContaining(['occluder:xseg_1', 'parser:bisenet_resnet_34']));
    expect(
      faceswapPlugin.models(input({ swapper: 'inswapper_128', occlusionMask: true, regionMask: true })),
    ).toEqual(['arcface_w600k_r50', 'inswapper_128', 'xseg_1', 'bisenet_resnet_34']);
  });
});
