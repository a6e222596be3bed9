// YOLOFace 8n: the pure decoder on a hand-made [20, A] output, the whole detector on a stub session
// (NMS, letterbox of a non-square image, BGR input) and on a fixture model with yoloface_8n's I/O.
import { createSession, decodeImage, type ModelSession, ort } from '@visage/inference';
import { ASTRONAUT, buildFixtureModel } from '@visage/inference/testing';
import { describe, expect, it } from 'vitest';
import { nonMaxSuppression } from '../src/face/nms.ts';
import { decodeYoloFace, detectFacesYoloFace, prepareYoloFaceInput } from '../src/face/yoloface.ts';

const quiet = { warn: () => undefined, debug: () => undefined };
const A = 8400;

/** Writes anchor a's 20 values into a channel-major [20, anchors] buffer. */
function put(raw: Float32Array, anchors: number, a: number, values: number[]) {
  values.forEach((v, c) => {
    raw[c * anchors + a] = v;
  });
}

// A face at anchor 6690 (stride 16, cell (10, 7): 6400 + 7·40 + 10; the decoder needs no anchor
// arithmetic): centre (160, 120), 80×96 → box (120, 72, 200, 168) in input pixels, score 0.9;
// keypoints (x, y, visibility).
const FACE = [
  160, 120, 80, 96, 0.9, 140, 100, 0.9, 180, 100, 0.8, 160, 125, 0.95, 145, 145, 0.7, 175, 145, 0.7,
];

function stubSession(raw: Float32Array) {
  const feeds: Record<string, ort.Tensor>[] = [];
  const session: ModelSession = {
    id: 'yoloface-stub',
    provider: 'cpu',
    fallbacks: [],
    inputs: [{ name: 'input', type: 'float32', shape: [1, 3, 640, 640] }],
    outputs: [{ name: 'output0', type: 'float32', shape: [1, 20, A] }],
    async run(feed) {
      feeds.push(feed);
      return { output0: new ort.Tensor('float32', raw, [1, 20, A]) };
    },
    stats: () => ({ runs: feeds.length, totalMs: 0, lastMs: 0 }),
    release: async () => undefined,
  };
  return { session, feeds };
}

const wide = { width: 1280, height: 720, channels: 3 as const, data: new Uint8Array(1280 * 720 * 3) };

describe(decodeYoloFace.name, () => {
  it('should read one anchor from the channel-major layout', () => {
    const raw = new Float32Array(20 * A);
    put(raw, A, 6690, FACE);
    const [face, ...rest] = decodeYoloFace(raw, { scoreThreshold: 0.5 });
    expect(rest).toEqual([]);
    expect(face?.box).toEqual([120, 72, 200, 168]);
    expect(face?.score).toBeCloseTo(0.9, 6);
    expect(face?.keypoints).toEqual([
      [140, 100],
      [180, 100],
      [160, 125],
      [145, 145],
      [175, 145],
    ]);
    expect(face?.keypointNames).toEqual(['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft']);
  });

  it('should work for any anchor count (A = 3), anchor 2 only', () => {
    const raw = new Float32Array(20 * 3);
    put(raw, 3, 2, FACE);
    put(raw, 3, 0, [1, 1, 1, 1, 0.2]); // below the threshold
    const faces = decodeYoloFace(raw, { scoreThreshold: 0.5 });
    expect(faces.map((f) => f.box)).toEqual([[120, 72, 200, 168]]);
  });

  it('should map back through the letterbox of a 1280×720 image (scale 0.5, top-left)', async () => {
    const { letterbox } = prepareYoloFaceInput(wide);
    expect([letterbox.scale, letterbox.padX, letterbox.padY]).toEqual([0.5, 0, 0]);
    const raw = new Float32Array(20 * A);
    put(raw, A, 6690, FACE);
    const [face] = decodeYoloFace(raw, { scoreThreshold: 0.5, letterbox });
    // Everything × 2.
    expect(face?.box).toEqual([240, 144, 400, 336]);
    expect(face?.keypoints).toEqual([
      [280, 200],
      [360, 200],
      [320, 250],
      [290, 290],
      [350, 290],
    ]);
  });

  it('should keep scores strictly above the threshold (FaceFusion: score > threshold)', () => {
    const raw = new Float32Array(20 * A);
    put(raw, A, 10, [50, 50, 10, 10, 0.5]);
    put(raw, A, 20, [300, 300, 10, 10, 0.625]);
    const scores = (t: number) => decodeYoloFace(raw, { scoreThreshold: t }).map((f) => f.score);
    expect(scores(0.5)).toEqual([0.625]);
    expect(scores(0.49)).toEqual([0.5, 0.625]);
    expect(scores(0.625)).toEqual([]);
  });

  it('should reject a buffer that is not 20 × A', () => {
    expect(() => decodeYoloFace(new Float32Array(41), { scoreThreshold: 0.5 })).toThrow(/20 × A/);
  });
});

describe(prepareYoloFaceInput.name, () => {
  // FaceFusion's restrict_frame only shrinks (`if height > 640 or width > 640`); a smaller frame is
  // copied into the top-left of the zero 640² canvas as it is (prepare_detect_frame).
  it('should pad an image smaller than 640² without enlarging it', () => {
    const small = { width: 320, height: 200, channels: 3 as const, data: new Uint8Array(320 * 200 * 3) };
    for (let i = 0; i < small.data.length; i += 3) small.data.set([255, 0, 0], i);
    const { tensor, letterbox } = prepareYoloFaceInput(small);
    expect([letterbox.scale, letterbox.padX, letterbox.padY]).toEqual([1, 0, 0]);
    const at = (c: number, x: number, y: number) => tensor[c * 640 * 640 + y * 640 + x];
    // Red is BGR channel 2; inside the 320×200 copy it is 1, right of and below it 0.
    expect([at(2, 0, 0), at(2, 319, 199), at(2, 320, 100), at(2, 100, 200), at(0, 100, 100)]).toEqual([
      1, 1, 0, 0, 0,
    ]);
    // A face the model finds at input (160, 120) is at image (160, 120).
    const raw = new Float32Array(20 * A);
    put(raw, A, 6690, FACE);
    expect(decodeYoloFace(raw, { scoreThreshold: 0.5, letterbox })[0]?.box).toEqual([120, 72, 200, 168]);
  });
});

describe(detectFacesYoloFace.name, () => {
  it('should feed BGR x/255 as "input" [1,3,640,640], keep the best of overlapping faces, map to the image', async () => {
    const raw = new Float32Array(20 * A);
    put(raw, A, 6690, FACE);
    // 4 px to the right: IoU (76·96)/(84·96) ≈ 0.90 > 0.4, lower score → suppressed.
    put(raw, A, 6691, [164, 120, 80, 96, 0.8]);
    // Far away: box (400, 400, 440, 440), kept.
    put(raw, A, 100, [420, 420, 40, 40, 0.7]);
    const { session, feeds } = stubSession(raw);
    // Pure red: R = 255 → tensor channel 2 (BGR), channels 0 and 1 are 0; the padding below row 360 is 0.
    const red = { ...wide, data: new Uint8Array(1280 * 720 * 3) };
    for (let i = 0; i < red.data.length; i += 3) red.data[i] = 255;
    const faces = await detectFacesYoloFace(session, red);
    const input = feeds[0]?.input;
    expect(Object.keys(feeds[0] ?? {})).toEqual(['input']);
    expect(input?.dims).toEqual([1, 3, 640, 640]);
    const data = input?.data as Float32Array;
    const plane = 640 * 640;
    const at = (c: number, x: number, y: number) => data[c * plane + y * 640 + x];
    expect([at(0, 100, 100), at(1, 100, 100), at(2, 100, 100)]).toEqual([0, 0, 1]);
    expect(at(2, 100, 500)).toBe(0);
    expect(faces.map((f) => f.score.toFixed(1))).toEqual(['0.9', '0.7']);
    expect(faces[0]?.box).toEqual([240, 144, 400, 336]);
    expect(faces[1]?.box).toEqual([800, 800, 880, 880]);
    expect(await detectFacesYoloFace(session, red, { iouThreshold: 0.95 })).toHaveLength(3);
    expect(await detectFacesYoloFace(session, red, { scoreThreshold: 0.85 })).toHaveLength(1);
  });
});

describe('YOLOFace on a fixture model with yoloface_8n I/O', () => {
  it('should run on astronaut.png: counts follow the raw scores, boxes land where the letterbox puts them', async () => {
    // yoloface_8n: input "input" float32 [1,3,640,640] (no dynamic axes) → "output0" [1,20,8400].
    const model = await createSession(
      buildFixtureModel({
        inputs: [{ name: 'input', dims: [1, 3, 640, 640] }],
        outputs: [{ name: 'output0', dims: [1, 20, A] }],
      }),
      { id: 'yoloface_8n-fixture', providers: ['cpu'], log: quiet },
    );
    const image = await decodeImage(ASTRONAUT);
    const { tensor } = prepareYoloFaceInput(image);
    const out = await model.run({ input: new ort.Tensor('float32', tensor, [1, 3, 640, 640]) });
    const raw = out.output0?.data as Float32Array;
    const scores = raw.subarray(4 * A, 5 * A);
    const count = (t: number) => scores.filter((s) => s > t).length;

    // iouThreshold 1 turns NMS off, so every candidate above the threshold comes back.
    expect(await detectFacesYoloFace(model, image, { scoreThreshold: 0.99, iouThreshold: 1 })).toHaveLength(
      count(0.99),
    );
    const all = await detectFacesYoloFace(model, image, { scoreThreshold: 0, iouThreshold: 1 });
    expect(all.length).toBe(count(0));
    expect(all.length).toBeGreaterThan(1000);
    // The decoder on those outputs with the 512² image padded, not enlarged, into 640² (scale 1).
    const expected = nonMaxSuppression(
      decodeYoloFace(raw, { scoreThreshold: 0, letterbox: { scale: 1, padX: 0, padY: 0 } }),
      1,
    );
    expect(all).toEqual(expected);
    // The fixture's values are the input mean (in [0, 1]) ± 0.5, so its boxes sit on the input's
    // top-left corner: |cx ± w/2| ≤ 1.5 · 1.5 input px = 2.25 image px.
    for (const face of all) {
      for (const v of [...face.box, ...face.keypoints.flat()]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(Math.abs(v)).toBeLessThanOrEqual(2.25);
      }
    }
    await model.release();
  });
});
