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
import { finishMask, intersectMasks, resizeMask } from '../src/faceswap/masks.ts';
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
      const paste = { maskBlur: 0.3, maskPadding: 0, colorCorrection: false };
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
    expect(faceswapPlugin.models(input({ occlusionMask: true, regionMask: true }))).toEqual([
      'arcface_w600k_r50',
      'inswapper_128',
      'xseg_1',
      'bisenet_resnet_34',
    ]);
  });
});
