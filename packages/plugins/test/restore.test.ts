import {
  createSession,
  decodeImage,
  FFHQ_512_TEMPLATE,
  type ModelSession,
  ort,
  type RgbImage,
} from '@visage/inference';
import { ASTRONAUT, buildFixtureModel } from '@visage/inference/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FivePoints } from '../src/faceswap/align.ts';
import { RESTORE_SIZE, restoreFace } from '../src/faceswap/restore.ts';
import {
  changedOutside,
  copy,
  differing,
  facePoints,
  meanDiffOnFace,
  quiet,
  recording,
} from './support/restore.ts';

const IMAGE = [1, 3, 512, 512];

// GFPGAN 1.4 (FaceFusion's export): input float32 [1,3,512,512] → output [1,3,512,512].
const gfpganIdentity = buildFixtureModel({
  inputs: [{ name: 'input', dims: IMAGE }],
  outputs: [{ name: 'output', dims: IMAGE, compute: 'identity:input' }],
});
const gfpganPattern = buildFixtureModel({
  inputs: [{ name: 'input', dims: IMAGE }],
  outputs: [{ name: 'output', dims: IMAGE }],
});
// CodeFormer: input float32 [1,3,512,512] + weight float64 [1] → output [1,3,512,512]. The pattern
// output follows the sum of the inputs' means, so it moves with the weight.
const codeformer = buildFixtureModel({
  inputs: [
    { name: 'input', dims: IMAGE },
    { name: 'weight', dims: [1], type: 'float64' },
  ],
  outputs: [{ name: 'output', dims: IMAGE }],
});

/** An XSeg stand-in (input [1,256,256,3] → [1,256,256,1]) whose answer is the left half occluded. */
function leftHalfOccluder(): ModelSession {
  const answer = new Float32Array(256 * 256);
  for (let y = 0; y < 256; y++) answer.fill(1, y * 256 + 128, (y + 1) * 256);
  let runs = 0;
  return {
    id: 'xseg_1',
    provider: 'cpu',
    fallbacks: [],
    inputs: [{ name: 'input', type: 'float32', shape: [1, 256, 256, 3] }],
    outputs: [{ name: 'output', type: 'float32', shape: [1, 256, 256, 1] }],
    run: async (feeds) => {
      if (feeds.input?.dims.join() !== '1,256,256,3') throw new Error(`xseg fed ${feeds.input?.dims}`);
      runs++;
      return { output: new ort.Tensor('float32', answer, [1, 256, 256, 1]) };
    },
    stats: () => ({ runs, totalMs: 0, lastMs: 0 }),
    release: async () => undefined,
  };
}

describe(restoreFace.name, () => {
  let astronaut: RgbImage;
  const sessions: ModelSession[] = [];
  const open = async (bytes: Uint8Array, id: string) => {
    const session = await createSession(bytes, { id, providers: ['cpu'], log: quiet });
    sessions.push(session);
    return session;
  };
  const points = facePoints();

  beforeAll(async () => {
    astronaut = copy(await decodeImage(ASTRONAUT));
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.release()));
  });

  it('should change only pixels inside the rectangle it returns, around the face', async () => {
    const session = await open(gfpganPattern, 'gfpgan_1.4');
    const frame = copy(astronaut);
    const rect = await restoreFace(session, frame, points, { strength: 0.8 });
    // The 512² crop covers 512·44/125.9 ≈ 179 px of the frame, a little more turned by 2°.
    expect(rect.width).toBeGreaterThan(170);
    expect(rect.width).toBeLessThan(195);
    expect(rect.height).toBeGreaterThan(170);
    expect(rect.height).toBeLessThan(195);
    for (const [x, y] of points) {
      expect(x).toBeGreaterThan(rect.x);
      expect(x).toBeLessThan(rect.x + rect.width);
      expect(y).toBeGreaterThan(rect.y);
      expect(y).toBeLessThan(rect.y + rect.height);
    }
    expect(changedOutside(frame, astronaut, rect)).toBe(0);
    // The pattern output is nothing like a face: the face changed a lot.
    expect(meanDiffOnFace(frame, astronaut, points).mean).toBeGreaterThan(20);
  });

  it('should change nothing at strength 0', async () => {
    const { session, feeds } = recording(await open(gfpganPattern, 'gfpgan_1.4'));
    const frame = copy(astronaut);
    const rect = await restoreFace(session, frame, points, { strength: 0 });
    expect(differing(frame, astronaut)).toBe(0);
    expect(rect.width * rect.height).toBe(0);
    expect(feeds).toHaveLength(0); // nothing to blend in: the model is not run
  });

  // Measured: mean 1.12, max 36 levels on the face. The crop is sampled from the frame and back,
  // bilinear both ways (≈ 2.9× up, then down, turned 2°), which softens the eye and hair edges a little.
  it('should be nearly lossless with an identity model at strength 1', async () => {
    const session = await open(gfpganIdentity, 'gfpgan_1.4');
    const frame = copy(astronaut);
    const rect = await restoreFace(session, frame, points, { strength: 1 });
    expect(changedOutside(frame, astronaut, rect)).toBe(0);
    const { mean, max } = meanDiffOnFace(frame, astronaut, points);
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(1.5);
    expect(max).toBeLessThan(48);
  });

  it('should be exactly lossless when the face already sits on the template (no resampling)', async () => {
    // The 512² frame is its own crop: the [−1, 1] round trip and the paste add nothing, not even
    // a half-pixel shift.
    const session = await open(gfpganIdentity, 'gfpgan_1.4');
    const frame = copy(astronaut);
    const aligned = FFHQ_512_TEMPLATE.map(([x, y]) => [x, y] as const) as unknown as FivePoints;
    const rect = await restoreFace(session, frame, aligned, { strength: 1 });
    expect(rect).toEqual({ x: 0, y: 0, width: 512, height: 512 });
    expect(differing(frame, astronaut)).toBe(0);
  });

  // The face sits on the template, so the frame is its own 512² crop and the paste mask is read at
  // whole pixels: frame = m·restored + (1 − m)·original, per pixel.
  const onTemplate = FFHQ_512_TEMPLATE.map(([x, y]) => [x, y] as const) as unknown as FivePoints;

  it('should leave what the occlusion model marks as covering the face untouched', async () => {
    const session = await open(gfpganPattern, 'gfpgan_1.4');
    const occluder = leftHalfOccluder();
    const frame = copy(astronaut);
    await restoreFace(session, frame, onTemplate, { strength: 1, occluder });
    // The mask steps at x = 256; after FaceFusion's σ 5 blur and [0.5, 1] → [0, 1] remap nothing left
    // of it is pasted. Right of it, away from the box's feather, the restored crop is.
    let left = 0;
    let right = 0;
    for (let y = 100; y < 412; y++) {
      for (let x = 40; x < 472; x++) {
        const i = (y * 512 + x) * 3;
        const changed = [0, 1, 2].some((c) => frame.data[i + c] !== astronaut.data[i + c]);
        if (changed && x < 256) left++;
        if (changed && x >= 280) right++;
      }
    }
    expect(left).toBe(0);
    expect(right).toBeGreaterThan(0.9 * 312 * 192);
    expect(occluder.stats().runs).toBe(1);
  });

  // FaceFusion 3.8.1's face_masker.create_box_mask(512² crop, blur 0.3, padding 0), run verbatim with
  // OpenCV 4.6.0 / numpy 1.24 (Debian python3-opencv): the middle row is 0.3466551 at x = 30,
  // 0.6535068 at x = 45 and 0.8818839 at x = 60 (and the same down that column for y 150..300).
  it("should feather the paste with FaceFusion's box mask at the swap's maskBlur", async () => {
    const session = await open(gfpganPattern, 'gfpgan_1.4');
    // maskBlur 0: FaceFusion's 1 px zero strip and no blur, so inside it the frame is the restored crop.
    const restored = copy(astronaut);
    await restoreFace(session, restored, onTemplate, { strength: 1, maskBlur: 0 });
    const feathered = copy(astronaut);
    await restoreFace(session, feathered, onTemplate, { strength: 1, maskBlur: 0.3 });
    const maskAt = (x: number) => {
      // m = (frame − original)/(restored − original), from channels that moved by ≥ 60 levels.
      const estimates: number[] = [];
      for (let y = 150; y <= 300; y++) {
        for (let c = 0; c < 3; c++) {
          const i = (y * 512 + x) * 3 + c;
          const o = astronaut.data[i] ?? 0;
          const span = (restored.data[i] ?? 0) - o;
          if (Math.abs(span) >= 60) estimates.push(((feathered.data[i] ?? 0) - o) / span);
        }
      }
      expect(estimates.length).toBeGreaterThan(100);
      return estimates.reduce((a, b) => a + b, 0) / estimates.length;
    };
    expect(maskAt(30)).toBeCloseTo(0.3466551, 2);
    expect(maskAt(45)).toBeCloseTo(0.6535068, 2);
    expect(maskAt(60)).toBeCloseTo(0.8818839, 2);
  });

  // FaceFusion's warp_face_by_face_landmark_5 uses cv2.BORDER_REPLICATE: on a one-colour frame the
  // whole 512² crop is that colour, also where it runs past the frame (not black, −1 after [−1, 1]).
  it("should replicate the frame's edge where the 512² crop runs past it", async () => {
    const { session, feeds } = recording(await open(gfpganIdentity, 'gfpgan_1.4'));
    const frame = { width: 200, height: 150, channels: 3 as const, data: new Uint8Array(200 * 150 * 3) };
    for (let i = 0; i < frame.data.length; i += 3) frame.data.set([200, 100, 50], i);
    // The face 60 px between the eyes, centred at the frame's corner: most of the crop is outside.
    const [re, le] = FFHQ_512_TEMPLATE as [readonly [number, number], readonly [number, number]];
    const scale = 60 / (le[0] - re[0]);
    const corner = FFHQ_512_TEMPLATE.map(([x, y]) => [(x - 256) * scale, (y - 256) * scale] as const);
    await restoreFace(session, frame, corner as unknown as FivePoints, { strength: 1 });
    const fed = feeds[0]?.input?.data as Float32Array;
    const plane = 512 * 512;
    const expected = [200, 100, 50].map((v) => Math.fround((v / 255 - 0.5) / 0.5));
    let other = 0;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < plane; p++)
        if (Math.abs((fed[c * plane + p] ?? 0) - (expected[c] ?? 0)) > 1e-6) other++;
    }
    expect(other).toBe(0);
  });

  it('should restore an RGBA frame like its RGB copy and leave the alpha alone', async () => {
    const session = await open(gfpganPattern, 'gfpgan_1.4');
    const rgb = copy(astronaut);
    const rgba: RgbImage = { ...astronaut, channels: 4, data: new Uint8Array(512 * 512 * 4) };
    for (let p = 0; p < 512 * 512; p++) {
      rgba.data.set(astronaut.data.subarray(p * 3, p * 3 + 3), p * 4);
      rgba.data[p * 4 + 3] = 200;
    }
    const a = await restoreFace(session, rgb, points, { strength: 0.8 });
    const b = await restoreFace(session, rgba, points, { strength: 0.8 });
    expect(b).toEqual(a);
    let differ = 0;
    for (let p = 0; p < 512 * 512; p++) {
      if (rgba.data[p * 4 + 3] !== 200) differ++;
      for (let c = 0; c < 3; c++) if (rgba.data[p * 4 + c] !== rgb.data[p * 3 + c]) differ++;
    }
    expect(differ).toBe(0);
  });

  it('should blend by strength: half strength moves the face about half as far', async () => {
    const session = await open(gfpganPattern, 'gfpgan_1.4');
    const full = copy(astronaut);
    const half = copy(astronaut);
    await restoreFace(session, full, points, { strength: 1 });
    await restoreFace(session, half, points, { strength: 0.5 });
    const a = meanDiffOnFace(full, astronaut, points).mean;
    const b = meanDiffOnFace(half, astronaut, points).mean;
    expect(b / a).toBeGreaterThan(0.45);
    expect(b / a).toBeLessThan(0.55);
  });

  it("should feed CodeFormer's weight as float64 fidelity, and not feed GFPGAN one", async () => {
    const { session, feeds } = recording(await open(codeformer, 'codeformer'));
    const low = copy(astronaut);
    const high = copy(astronaut);
    await restoreFace(session, low, points, { strength: 1, fidelity: 0.2 });
    await restoreFace(session, high, points, { strength: 1, fidelity: 0.9 });
    expect(feeds.map((f) => Object.keys(f).sort())).toEqual([
      ['input', 'weight'],
      ['input', 'weight'],
    ]);
    expect(feeds.map((f) => f.weight?.type)).toEqual(['float64', 'float64']);
    expect(feeds.map((f) => f.weight?.dims)).toEqual([[1], [1]]);
    expect(feeds.map((f) => f.weight?.data[0])).toEqual([0.2, 0.9]);
    expect(feeds[0]?.input?.dims).toEqual([1, 3, RESTORE_SIZE, RESTORE_SIZE]);
    // The fixture's output follows the mean of its inputs: +0.7 in [−1, 1] is ≈ +89 levels (clipped).
    expect(meanDiffOnFace(high, low, points).mean).toBeGreaterThan(40);
    // Default fidelity 0.5.
    await restoreFace(session, copy(astronaut), points, { strength: 1 });
    expect(feeds[2]?.weight?.data[0]).toBe(0.5);

    const gfpgan = recording(await open(gfpganIdentity, 'gfpgan_1.4'));
    await restoreFace(gfpgan.session, copy(astronaut), points, { strength: 1, fidelity: 0.2 });
    expect(Object.keys(gfpgan.feeds[0] ?? {})).toEqual(['input']);
  });

  it('should throw a RangeError naming a strength or fidelity outside 0..1', async () => {
    const session = await open(gfpganIdentity, 'gfpgan_1.4');
    const frame = copy(astronaut);
    for (const strength of [-0.1, 1.5, Number.NaN]) {
      await expect(restoreFace(session, frame, points, { strength })).rejects.toThrow(RangeError);
      await expect(restoreFace(session, frame, points, { strength })).rejects.toThrow(/strength/);
    }
    await expect(restoreFace(session, frame, points, { strength: 1, fidelity: 2 })).rejects.toThrow(
      new RangeError('restoreFace: fidelity must be a number in 0..1 (got 2)'),
    );
    expect(differing(frame, astronaut)).toBe(0);
  });

  it('should say so when the model is not a 512² image restorer', async () => {
    // Under a 512² restorer's id (an id that is no restorer fails before: restore-models.test.ts).
    const session = await open(
      buildFixtureModel({
        inputs: [{ name: 'input', dims: [1, 3, 112, 112] }],
        outputs: [{ name: 'output', dims: [1, 512] }],
      }),
      'gfpgan_1.4',
    );
    await expect(restoreFace(session, copy(astronaut), points, { strength: 1 })).rejects.toThrow(
      'gfpgan_1.4: a face restorer needs a float32 [1, 3, 512, 512] image input; the model takes input: float32[1, 3, 112, 112]',
    );
  });
});
