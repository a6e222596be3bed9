// SCRFD det_10g: the pure decoder on hand-made outputs, the whole detector on a stub session (NMS,
// letterbox of a non-square image) and on a fixture model with det_10g's exact I/O.
import { createSession, decodeImage, type ModelSession, ort } from '@visage/inference';
import { ASTRONAUT, buildFixtureModel, type FixtureOutput } from '@visage/inference/testing';
import { describe, expect, it } from 'vitest';
import { nonMaxSuppression } from '../src/face/nms.ts';
import { decodeScrfd, detectFacesScrfd, FIVE_POINT_KEYPOINTS, prepareScrfdInput } from '../src/face/scrfd.ts';

const quiet = { warn: () => undefined, debug: () => undefined };

/** arr[i], which the test's own tables always have. */
function at<T>(arr: readonly T[], i: number): T {
  const v = arr[i];
  if (v === undefined) throw new Error(`index ${i} out of range`);
  return v;
}
const STRIDES = [8, 16, 32];
const WIDTHS = [1, 4, 10];

/** Zeroed outputs for a square input: scores s8,s16,s32, boxes ×3, keypoints ×3 (2 anchors per point). */
function emptyOutputs(size = 640): Float32Array[] {
  const rows = STRIDES.map((s) => (size / s) ** 2 * 2);
  return WIDTHS.flatMap((width) => rows.map((n) => new Float32Array(n * width)));
}

/** Sets one candidate: stride index s (0..2), grid point (x, y), anchor a. */
function put(
  outputs: Float32Array[],
  size: number,
  s: number,
  [x, y]: [number, number],
  a: number,
  score: number,
  ltrb: number[],
  kps: number[],
) {
  const cells = size / at(STRIDES, s);
  const row = (y * cells + x) * 2 + a;
  at(outputs, s)[row] = score;
  at(outputs, s + 3).set(ltrb, row * 4);
  at(outputs, s + 6).set(kps, row * 10);
}

// Stride 16, grid point (10, 7), anchor 1: row (7·40 + 10)·2 + 1 = 581, anchor centre (160, 112).
// Distances (2, 1.5, 3, 2.5) × 16 = (32, 24, 48, 40) → box (128, 88, 208, 152) in input pixels.
// Keypoint offsets × 16: (−16, −8), (16, −8), (0, 8), (−12, 20), (12, 20)
// → (144, 104), (176, 104), (160, 120), (148, 132), (172, 132).
const LTRB = [2, 1.5, 3, 2.5];
const KPS = [-1, -0.5, 1, -0.5, 0, 0.5, -0.75, 1.25, 0.75, 1.25];

function stubSession(outputs: Float32Array[], size = 640, dims = (n: number, w: number) => [n, w]) {
  const names = ['448', '471', '494', '451', '474', '497', '454', '477', '500'];
  const feeds: Record<string, ort.Tensor>[] = [];
  const rows = STRIDES.map((s) => (size / s) ** 2 * 2);
  const session: ModelSession = {
    id: 'det_10g-stub',
    provider: 'cpu',
    fallbacks: [],
    inputs: [{ name: 'input.1', type: 'float32', shape: [1, 3, '?', '?'] }],
    outputs: names.map((name) => ({ name, type: 'float32', shape: ['?', 1] })),
    async run(feed) {
      feeds.push(feed);
      return Object.fromEntries(
        names.map((name, i) => {
          const n = at(rows, i % 3);
          const w = at(WIDTHS, Math.floor(i / 3));
          return [name, new ort.Tensor('float32', at(outputs, i), dims(n, w))];
        }),
      );
    },
    stats: () => ({ runs: feeds.length, totalMs: 0, lastMs: 0 }),
    release: async () => undefined,
  };
  return { session, feeds };
}

const wide = { width: 1280, height: 720, channels: 3 as const, data: new Uint8Array(1280 * 720 * 3) };

describe(decodeScrfd.name, () => {
  it('should decode a face at stride 16, point (10, 7), anchor 1, in input pixels', () => {
    const outputs = emptyOutputs();
    put(outputs, 640, 1, [10, 7], 1, 0.8, LTRB, KPS);
    const [face, ...rest] = decodeScrfd(outputs, { size: 640, scoreThreshold: 0.5 });
    expect(rest).toEqual([]);
    expect(face?.score).toBeCloseTo(0.8, 6);
    expect(face?.box).toEqual([128, 88, 208, 152]);
    expect(face?.keypoints).toEqual([
      [144, 104],
      [176, 104],
      [160, 120],
      [148, 132],
      [172, 132],
    ]);
    expect(face?.keypointNames).toEqual(['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft']);
  });

  it('should map back through the letterbox of a 1280×720 image (scale 0.5, top-left)', async () => {
    const { letterbox, tensor } = prepareScrfdInput(wide, 640);
    // 1280×720 fits as 640×360 at the top-left: scale 0.5, no offset; image = input / 0.5.
    expect([letterbox.scale, letterbox.padX, letterbox.padY]).toEqual([0.5, 0, 0]);
    expect(tensor.length).toBe(3 * 640 * 640);
    const outputs = emptyOutputs();
    put(outputs, 640, 1, [10, 7], 1, 0.8, LTRB, KPS);
    const [face] = decodeScrfd(outputs, { size: 640, scoreThreshold: 0.5, letterbox });
    // (128, 88, 208, 152) × 2; keypoints × 2.
    expect(face?.box).toEqual([256, 176, 416, 304]);
    expect(face?.keypoints).toEqual([
      [288, 208],
      [352, 208],
      [320, 240],
      [296, 264],
      [344, 264],
    ]);
  });

  it('should subtract the padding before scaling', () => {
    const outputs = emptyOutputs();
    put(outputs, 640, 1, [10, 7], 1, 0.8, LTRB, KPS);
    const [face] = decodeScrfd(outputs, {
      size: 640,
      scoreThreshold: 0.5,
      letterbox: { scale: 2, padX: 8, padY: 40 },
    });
    // ((128 − 8)/2, (88 − 40)/2, (208 − 8)/2, (152 − 40)/2)
    expect(face?.box).toEqual([60, 24, 100, 56]);
    expect(face?.keypoints[2]).toEqual([76, 40]);
  });

  it('should keep scores at or above the threshold only (insightface: scores ≥ det_thresh)', () => {
    const outputs = emptyOutputs();
    put(outputs, 640, 0, [0, 0], 0, 0.5, LTRB, KPS);
    put(outputs, 640, 0, [79, 79], 1, 0.49, LTRB, KPS);
    put(outputs, 640, 2, [19, 0], 0, 0.97, LTRB, KPS);
    const scores = (t: number) => decodeScrfd(outputs, { size: 640, scoreThreshold: t }).map((d) => d.score);
    expect(scores(0.5).map((s) => s.toFixed(2))).toEqual(['0.50', '0.97']);
    expect(scores(0.4)).toHaveLength(3);
    expect(scores(0.98)).toEqual([]);
    // Stride 8, point (79, 79), anchor 1 centre (632, 632); stride 32 point (19, 0) centre (608, 0).
    const [last] = decodeScrfd(outputs, { size: 640, scoreThreshold: 0.45 }).filter((d) => d.score < 0.5);
    expect(last?.box).toEqual([632 - 16, 632 - 12, 632 + 24, 632 + 20]);
    const [far] = decodeScrfd(outputs, { size: 640, scoreThreshold: 0.9 });
    expect(far?.box).toEqual([608 - 64, -48, 608 + 96, 80]);
  });

  it('should reject outputs with the wrong row count', () => {
    const outputs = emptyOutputs(320);
    expect(() => decodeScrfd(outputs, { size: 640, scoreThreshold: 0.5 })).toThrow(/needs 12800 rows/);
  });
});

describe(detectFacesScrfd.name, () => {
  it('should feed input.1 [1,3,640,640], keep the best of two overlapping faces, and map to the image', async () => {
    const outputs = emptyOutputs();
    put(outputs, 640, 1, [10, 7], 1, 0.9, LTRB, KPS);
    // Anchor 0 of the same point, 0.1·16 = 1.6 px wider on the left: IoU 5120/5222.4 ≈ 0.98 > 0.4.
    put(outputs, 640, 1, [10, 7], 0, 0.8, [2.1, 1.5, 3, 2.5], KPS);
    // Stride 32, point (3, 2) anchor 0, centre (96, 64): box (64, 32, 128, 96), far from the others.
    put(outputs, 640, 2, [3, 2], 0, 0.7, [1, 1, 1, 1], KPS);
    const { session, feeds } = stubSession(outputs);
    const faces = await detectFacesScrfd(session, wide);
    expect(Object.keys(feeds[0] ?? {})).toEqual(['input.1']);
    expect(feeds[0]?.['input.1']?.dims).toEqual([1, 3, 640, 640]);
    expect(faces.map((f) => f.score.toFixed(1))).toEqual(['0.9', '0.7']);
    expect(faces[0]?.box).toEqual([256, 176, 416, 304]);
    expect(faces[1]?.box).toEqual([128, 64, 256, 192]);
    // A looser NMS keeps both overlapping boxes.
    expect(await detectFacesScrfd(session, wide, { iouThreshold: 0.995 })).toHaveLength(3);
  });

  it('should take batched [1, N, k] outputs and a smaller size', async () => {
    const outputs = emptyOutputs(320);
    // At 320² stride 16 has 20×20 points: point (10, 7) anchor 1 is row (7·20 + 10)·2 + 1 = 301.
    put(outputs, 320, 1, [10, 7], 1, 0.9, LTRB, KPS);
    const { session, feeds } = stubSession(outputs, 320, (n, w) => [1, n, w]);
    const [face, ...rest] = await detectFacesScrfd(session, wide, { size: 320 });
    expect(feeds[0]?.['input.1']?.dims).toEqual([1, 3, 320, 320]);
    expect(rest).toEqual([]);
    // 1280×720 into 320²: scale 0.25, so (128, 88, 208, 152) × 4.
    expect(face?.box).toEqual([512, 352, 832, 608]);
  });

  it('should refuse a model without keypoint outputs', async () => {
    const bytes = buildFixtureModel({
      inputs: [{ name: 'input.1', dims: [1, 3, '?', '?'] }],
      outputs: ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name, dims: [2, 1] })),
    });
    const session = await createSession(bytes, { id: 'det_nokps', providers: ['cpu'], log: quiet });
    await expect(detectFacesScrfd(session, wide)).rejects.toThrow(/9 outputs.*has 6.*without keypoints/);
    await session.release();
  });
});

describe('SCRFD on a fixture model with det_10g I/O', () => {
  // det_10g: input "input.1" float32 [1,3,?,?]; nine outputs in this order. The names are stand-ins
  // shaped like the exporter's numeric ones; the detector reads outputs by position, not by name.
  const names = ['448', '471', '494', '451', '474', '497', '454', '477', '500'];
  const rows = [12800, 3200, 800];
  const spec = (batched: boolean): FixtureOutput[] =>
    names.map((name, i) => {
      const n = at(rows, i % 3);
      const w = at(WIDTHS, Math.floor(i / 3));
      return batched
        ? { name, dims: [1, `n${i}`, w], shape: [1, n, w] }
        : { name, dims: [`n${i}`, w], shape: [n, w] };
    });
  const session = (batched = false) =>
    createSession(
      buildFixtureModel({ inputs: [{ name: 'input.1', dims: [1, 3, '?', '?'] }], outputs: spec(batched) }),
      { id: 'det_10g-fixture', providers: ['cpu'], log: quiet },
    );

  it('should run on astronaut.png: counts follow the raw scores, boxes stay by the image', async () => {
    const model = await session();
    const image = await decodeImage(ASTRONAUT);
    // The raw outputs for the same input, read by name here (independently of the detector).
    const { tensor } = prepareScrfdInput(image, 640);
    const raw = await model.run({ 'input.1': new ort.Tensor('float32', tensor, [1, 3, 640, 640]) });
    const arrays = names.map((n) => raw[n]?.data as Float32Array);
    const count = (t: number) => arrays.slice(0, 3).reduce((n, a) => n + a.filter((s) => s >= t).length, 0);

    // iouThreshold 1 turns NMS off, so every candidate above the threshold comes back.
    const none = await detectFacesScrfd(model, image, { scoreThreshold: 0.99, iouThreshold: 1 });
    expect(none).toHaveLength(count(0.99));
    const all = await detectFacesScrfd(model, image, { scoreThreshold: 0, iouThreshold: 1 });
    expect(all.length).toBe(count(0));
    expect(all.length).toBeGreaterThan(1000);
    expect(all.length).toBeLessThan(16800);
    // Exactly the hand-checked decoder on those outputs, with the 512² → 640² letterbox written by hand.
    const expected = nonMaxSuppression(
      decodeScrfd(arrays, { size: 640, scoreThreshold: 0, letterbox: { scale: 1.25, padX: 0, padY: 0 } }),
      1,
    );
    expect(all).toEqual(expected);
    // Anchor centres span 0..632 input px = 0..505.6 image px; the fixture's distances reach at most
    // max|raw|·32 input px, so every box and keypoint lies in the image widened by that reach.
    const reach =
      (Math.max(...arrays.slice(3).map((a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0))) * 32) / 1.25;
    for (const face of all) {
      expect(face.keypointNames).toEqual(FIVE_POINT_KEYPOINTS);
      for (const v of [...face.box, ...face.keypoints.flat()]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(-reach);
        expect(v).toBeLessThanOrEqual(512 + reach);
      }
    }
    // Batched [1, N, k] outputs give the same faces.
    const batched = await session(true);
    expect(await detectFacesScrfd(batched, image, { scoreThreshold: 0, iouThreshold: 1 })).toEqual(all);
    await batched.release();
    await model.release();
  });
});
