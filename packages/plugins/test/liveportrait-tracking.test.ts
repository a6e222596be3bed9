// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// The driving face tracked picture to picture as LP's Cropper does (docs/models/liveportrait.md §2.3,
// §5.5): 2d106det seeds landmark.onnx on the first picture, then each picture's 224² landmark crop is
// LP's crop_image (scale 1.5, vy −0.1, rotated to the face) of the previous picture's 203 points, and
// each picture's eye/lip ratios come from its own points.
//
// The landmark models are stand-ins that only see pixels, like the real ones: each picture's red and
// green are its own x and y, so a stand-in reads from the crop it is given where that crop lies in
// the picture (a least-squares fit over its pixels), and answers with the true face points of that
// picture in the crop's coordinates. The crops it saw are then compared with LP's, worked out by hand
// from the true points.
import {
  type Affine,
  applyAffine,
  invertAffine,
  type ModelSession,
  ort,
  type RgbImage,
} from '@visage/inference';
import { describe, expect, it, vi } from 'vitest';
import { DrivingFaceTracker } from '../src/liveportrait/tracking.ts';

type P = [number, number];

// The picture's face box for the detector stand-in (set per picture below).
const detected: { box: [number, number, number, number] } = { box: [0, 0, 1, 1] };
vi.mock('../src/liveportrait/crop.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../src/liveportrait/crop.ts')>()),
  largestFace: async () => ({ box: detected.box, score: 1, keypoints: [], keypointNames: [] }),
}));

const SIZE = 256;
/** A picture whose red is x and green is y (0..255). */
const coordinates: RgbImage = (() => {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) data.set([x, y, 0], 3 * (y * SIZE + x));
  return { width: SIZE, height: SIZE, channels: 3, data };
})();

/** A face of half-size r, centre c, turned θ clockwise on screen; eye and lip openings as ratios. */
interface Face {
  c: P;
  r: number;
  theta: number;
  eyes: [number, number];
  lip: number;
}

/** Face-frame point (x right, y down, in units of r) → picture. */
const place = (f: Face, [x, y]: P): P => {
  const [cos, sin] = [Math.cos(f.theta), Math.sin(f.theta)];
  return [f.c[0] + f.r * (cos * x - sin * y), f.c[1] + f.r * (sin * x + cos * y)];
};

/**
 * The 203 points: four extremes at ±r (1–4), the eye anchors [0,6,12,18] / [24,30,36,42] around
 * (∓0.3, −0.2), 0.3 wide (0–12, 24–36) and open eyes·0.3 (6–18, 30–42); the lip anchors 48, 66 at
 * (∓0.3, 0.4), open lip·0.6 (90–102); every other point at the centre.
 */
function points203(f: Face): P[] {
  const p = Array.from({ length: 203 }, (): P => [0, 0]);
  const set = (i: number, q: P) => {
    p[i] = q;
  };
  set(1, [-1, 0]);
  set(2, [1, 0]);
  set(3, [0, -1]);
  set(4, [0, 1]);
  for (const [[w0, w1, o0, o1], x, open] of [
    [[0, 12, 6, 18], -0.3, f.eyes[0]],
    [[24, 36, 30, 42], 0.3, f.eyes[1]],
  ] as const) {
    set(w0, [x - 0.15, -0.2]);
    set(w1, [x + 0.15, -0.2]);
    set(o0, [x, -0.2 - (open * 0.3) / 2]);
    set(o1, [x, -0.2 + (open * 0.3) / 2]);
  }
  set(48, [-0.3, 0.4]);
  set(66, [0.3, 0.4]);
  set(90, [0, 0.4 - (f.lip * 0.6) / 2]);
  set(102, [0, 0.4 + (f.lip * 0.6) / 2]);
  return p.map((q) => place(f, q));
}

/** 2d106det's points: the same extremes, eyes [33,35,40,39] / [87,89,94,93] at (∓0.3, −0.2), lip 52, 61 at (0, 0.4). */
function points106(f: Face): P[] {
  const p = Array.from({ length: 106 }, (): P => [0, 0]);
  for (const [i, q] of [
    [1, [-1, 0]],
    [2, [1, 0]],
    [3, [0, -1]],
    [4, [0, 1]],
    ...[33, 35, 40, 39].map((i) => [i, [-0.3, -0.2]]),
    ...[87, 89, 94, 93].map((i) => [i, [0.3, -0.2]]),
    [52, [0, 0.4]],
    [61, [0, 0.4]],
  ] as [number, P][]) {
    p[i] = q;
  }
  return p.map((q) => place(f, q));
}

/** Crop → picture, fitted by least squares to the crop's pixels (red·k = x, green·k = y). */
function cropToPicture(tensor: Float32Array, size: number, k: number): Affine {
  const plane = size * size;
  // Normal equations for x = a·u + b·v + c (and the same for y).
  const m = new Float64Array(9);
  const rx = new Float64Array(3);
  const ry = new Float64Array(3);
  for (let v = 0; v < size; v += 3) {
    for (let u = 0; u < size; u += 3) {
      const x = tensor[v * size + u]! * k;
      const y = tensor[plane + v * size + u]! * k;
      if (!(x > 1 && y > 1 && x < SIZE - 2 && y < SIZE - 2)) continue; // off the picture
      const row = [u, v, 1];
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) m[3 * i + j]! += row[i]! * row[j]!;
        rx[i]! += row[i]! * x;
        ry[i]! += row[i]! * y;
      }
    }
  }
  const solve = (b: Float64Array) => {
    const a = [...m];
    const r = [...b];
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++) {
        const f = a[3 * j + i]! / a[3 * i + i]!;
        for (let l = i; l < 3; l++) a[3 * j + l]! -= f * a[3 * i + l]!;
        r[j]! -= f * r[i]!;
      }
    }
    const s = [0, 0, 0];
    for (let i = 2; i >= 0; i--) {
      let t = r[i]!;
      for (let l = i + 1; l < 3; l++) t -= a[3 * i + l]! * s[l]!;
      s[i] = t / a[3 * i + i]!;
    }
    return s;
  };
  const [a, b, c] = solve(rx);
  const [d, e, f] = solve(ry);
  return Float64Array.from([a!, b!, c!, d!, e!, f!]);
}

/** A landmark model stand-in: answers `truth()` in the coordinates of the crop it is given. */
function standIn(
  input: { name: string; size: number; k: number },
  output: { name: string; values: number },
  encode: (crop: P, size: number) => P,
  truth: () => P[],
) {
  const crops: Affine[] = [];
  const session = {
    id: `stand-in ${output.name}`,
    inputs: [{ name: input.name, type: 'float32', shape: [1, 3, input.size, input.size] }],
    outputs: [{ name: output.name, type: 'float32', shape: [1, output.values] }],
    async run(feeds: Record<string, ort.Tensor>) {
      const toPicture = cropToPicture(feeds[input.name]!.data as Float32Array, input.size, input.k);
      crops.push(toPicture);
      const toCrop = invertAffine(toPicture);
      const values = truth().flatMap((p) => encode(applyAffine(toCrop, p) as P, input.size));
      return { [output.name]: new ort.Tensor('float32', Float32Array.from(values), [1, values.length]) };
    },
  } as unknown as ModelSession;
  return { session, crops };
}

/** LP's crop_image rectangle (scale 1.5, vy −0.1) of a face of these points: by hand, see below. */
function expectCrop(seen: Affine, f: Face) {
  // The points' box in the face frame is ±r (the extremes), so its centre is c and the side 1.5·2r;
  // the centre moves up the face by 0.1 of the side: c + 0.3r·(sin θ, −cos θ). 224 crop px = 3r.
  const [cos, sin] = [Math.cos(f.theta), Math.sin(f.theta)];
  const centre = [f.c[0] + 0.3 * f.r * sin, f.c[1] - 0.3 * f.r * cos];
  const scale = (3 * f.r) / 224;
  const [x, y] = applyAffine(seen, [112, 112]);

  expect(Math.hypot(x - centre[0]!, y - centre[1]!)).toBeLessThan(0.1);
  expect(Math.hypot(seen[0]!, seen[3]!) / scale).toBeCloseTo(1, 2);
  expect((Math.atan2(seen[3]!, seen[0]!) * 180) / Math.PI).toBeCloseTo((f.theta * 180) / Math.PI, 0);
}

describe('DrivingFaceTracker', () => {
  // Four pictures: the head drifts, rolls 10° → 40°, blinks and opens its mouth.
  const faces: Face[] = [0, 1, 2, 3].map((i) => ({
    c: [120.37 + 5 * i, 126.21 + 3 * i], // off the half-pixel grid: no rounding ties in the fit
    r: 40,
    theta: ((10 + 10 * i) * Math.PI) / 180,
    eyes: [[0.1, 0.3, 0.2, 0.05][i]!, [0.15, 0.35, 0.25, 0.1][i]!],
    lip: [0.05, 0.4, 0.2, 0][i]!,
  }));
  let now = faces[0]!;

  it("crops each picture's landmarks from the last picture's points, turned with the face, as LP", async () => {
    const lm106 = standIn(
      { name: 'data', size: 192, k: 1 },
      { name: 'fc1', values: 212 },
      ([u, v]) => [u / 96 - 1, v / 96 - 1],
      () => points106(now),
    );
    const lm203 = standIn(
      { name: 'input', size: 224, k: 255 },
      { name: '856', values: 406 },
      ([u, v]) => [u / 224, v / 224],
      () => points203(now),
    );
    const tracker = new DrivingFaceTracker(
      { detector: {} as never, landmark106: lm106.session },
      lm203.session,
    );
    const found = [];
    for (const face of faces) {
      now = face;
      detected.box = [face.c[0] - face.r, face.c[1] - face.r, face.c[0] + face.r, face.c[1] + face.r];
      found.push(await tracker.next(coordinates));
    }

    // The first picture's landmark crop comes from 2d106det's points; each later one from the points
    // of the picture before (turned by that picture's roll), never from a detector box again.
    expect(lm106.crops).toHaveLength(1);

    expect(lm203.crops).toHaveLength(4);
    expectCrop(lm203.crops[0]!, faces[0]!);
    for (let i = 1; i < 4; i++) expectCrop(lm203.crops[i]!, faces[i - 1]!);

    for (const [i, face] of faces.entries()) {
      const f = found[i]!;
      // Each picture's own ratios: eyes |p6 − p18| / |p0 − p12| = open·0.3r / 0.3r, lip open·0.6r / 0.6r.
      expect(f.ratios?.eyes[0]).toBeCloseTo(face.eyes[0], 3);
      expect(f.ratios?.eyes[1]).toBeCloseTo(face.eyes[1], 3);
      expect(f.ratios?.lip).toBeCloseTo(face.lip, 3);
      // LP's driving box (scale 2.2, vy −0.1): side 2.2·2r, centre moved up the face by 0.44r; upright.
      const [cos, sin] = [Math.cos(face.theta), Math.sin(face.theta)];
      expect(f.square.side).toBeCloseTo(4.4 * face.r, 1);
      expect(f.square.centre[0]).toBeCloseTo(face.c[0] + 0.44 * face.r * sin, 1);
      expect(f.square.centre[1]).toBeCloseTo(face.c[1] - 0.44 * face.r * cos, 1);
    }
  });
});
