// 2DFAN4 68-point landmarks: the crop matrix and decoder by hand, the BGR crop, 68→5, the refine gate,
// and the whole path on a fixture model with 2dfan4's I/O on astronaut.png.
import {
  applyAffine,
  createSession,
  decodeImage,
  FFHQ_512_TEMPLATE,
  ort,
  type Point,
} from '@visage/inference';
import { ASTRONAUT, buildFixtureModel } from '@visage/inference/testing';
import { describe, expect, it } from 'vitest';
import {
  decode2dfan4,
  faceAngle,
  fanCropMatrix,
  landmarks68To5,
  landmarks68With2dfan4,
  optimizeDarkContrast,
  prepare2dfan4Input,
  refineWithLandmarks,
} from '../src/face/landmark68.ts';
import type { FaceDetection } from '../src/face/types.ts';

const quiet = { warn: () => undefined, debug: () => undefined };
const PLANE = 64 * 64;

// Box (100, 50, 200, 180): 100×130, so scale = 195/130 = 1.5; centre (150, 115) → (128, 128):
// tx = 128 − 150·1.5 = −97, ty = 128 − 115·1.5 = −44.5. Back: image = (crop − t)/1.5.
const BOX: FaceDetection['box'] = [100, 50, 200, 180];

describe(fanCropMatrix.name, () => {
  it('should scale the longer side to 195 px and centre the box at (128, 128)', () => {
    expect([...fanCropMatrix(BOX)]).toEqual([1.5, 0, -97, 0, 1.5, -44.5]);
  });
});

// FaceFusion 3.8.1's detect_with_2dfan4 pieces run verbatim (OpenCV 4.6.0, numpy 1.24, Debian
// python3-opencv) for BOX: create_rotation_matrix_and_size(angle, (256, 256)) composed with
// warp_face_by_translation's matrix, and the grid points (32, 32), (0, 0), (64, 16) taken back through
// the inverse rotation and crop (cv2.transform on float32, hence 4 decimals).
describe('2DFAN4 crop turned by the face angle', () => {
  const cases = [
    {
      angle: 90,
      matrix: [0, 1.5, -44.5, -1.5, 0, 353],
      points: [
        [150, 115],
        [235.3334, 29.6667],
        [192.6667, 200.3333],
      ],
    },
    {
      angle: 180,
      matrix: [-1.5, 0, 353, 0, -1.5, 300.5],
      points: [
        [150, 115],
        [235.3334, 200.3333],
        [64.6667, 157.6667],
      ],
    },
    {
      angle: 270,
      matrix: [0, -1.5, 300.5, 1.5, 0, -97],
      points: [
        [150, 115],
        [64.6667, 200.3333],
        [107.3333, 29.6667],
      ],
    },
  ] as const;

  it.each(cases)(
    "should be FaceFusion's rotation ∘ crop at $angle°, and map points back through it",
    ({ angle, matrix, points }) => {
      const m = fanCropMatrix(BOX, angle);
      expect([...m]).toEqual(matrix.map((v) => expect.closeTo(v, 9)));
      const coords = new Float32Array(68 * 3).fill(32);
      coords.set([0, 0, 0.7], 3);
      coords.set([64, 16, 0.7], 6);
      const decoded = decode2dfan4(coords, new Float32Array(68 * PLANE), m).points.slice(0, 3);
      expect(decoded.flat()).toEqual(points.flat().map((v) => expect.closeTo(v, 3)));
    },
  );

  // FaceFusion's estimate_face_angle on a jaw line (point 0 → 16) at these angles (same run):
  // 0→0, 44→0, 46→90, 134→90, 136→180, 226→270, 300→270, 314→270, 316→0, 359→0.
  it.each([
    [0, 0],
    [44, 0],
    [46, 90],
    [134, 90],
    [136, 180],
    [226, 270],
    [300, 270],
    [314, 270],
    [316, 0],
    [359, 0],
  ] as const)('should snap a face rolled %i° (clockwise on screen) to %i°', (roll, expected) => {
    const t = (roll * Math.PI) / 180;
    const rolled = FFHQ_512_TEMPLATE.map(
      ([x, y]): Point => [
        300 + (x - 256) * Math.cos(t) - (y - 256) * Math.sin(t),
        200 + (x - 256) * Math.sin(t) + (y - 256) * Math.cos(t),
      ],
    );
    expect(faceAngle(rolled)).toBe(expected);
  });

  it('should feed the crop turned upright: at 90° pixel (x, y) is the unturned crop at (256 − y, x)', () => {
    const image = { width: 300, height: 300, channels: 3 as const, data: new Uint8Array(300 * 300 * 3) };
    for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 37 + (i >> 7)) % 251;
    const at = (t: Float32Array, c: number, x: number, y: number) => t[c * 256 * 256 + y * 256 + x] ?? NaN;
    const upright = prepare2dfan4Input(image, BOX, 0).tensor;
    const turned = prepare2dfan4Input(image, BOX, 90).tensor;
    for (const [x, y] of [
      [10, 20],
      [128, 128],
      [200, 7],
      [3, 250],
    ] as const) {
      for (let c = 0; c < 3; c++)
        expect(Math.abs(at(turned, c, x, y) - at(upright, c, 256 - y, x))).toBeLessThanOrEqual(
          1 / 255 + 1e-6,
        );
    }
    // And a point on the turned grid maps to the same image point as its unturned twin.
    expect(applyAffine(fanCropMatrix(BOX, 90), [150, 115])).toEqual([
      expect.closeTo(128, 9),
      expect.closeTo(128, 9),
    ]);
  });
});

// FaceFusion 3.8.1's conditional_optimize_contrast run verbatim on OpenCV 4.6.0 (Debian python3-opencv)
// for a dark 256² BGR array: v = 8 + (7x + 3y) % 23 + 20 inside a radius-80 disc, channels (v, v + x % 5,
// v + 10 + y % 7). Its mean 8-bit L* (computed, as FaceFusion does, with the BGR array labelled RGB) is
// 26.07 < 30, so L* gets CLAHE (clip 2). Our crop is the same pixels in RGB order.
describe(optimizeDarkContrast.name, () => {
  const dark = (lift = 0) => {
    const crop = { width: 256, height: 256, channels: 3 as const, data: new Uint8Array(256 * 256 * 3) };
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const v = 8 + ((7 * x + 3 * y) % 23) + ((x - 128) ** 2 + (y - 128) ** 2 < 80 ** 2 ? 20 : 0) + lift;
        crop.data.set([v + 10 + (y % 7), v + (x % 5), v], (y * 256 + x) * 3); // R, G, B
      }
    }
    return crop;
  };
  const where = [
    [0, 0],
    [10, 200],
    [64, 64],
    [128, 128],
    [200, 30],
    [255, 255],
    [100, 180],
    [47, 131],
  ] as const;
  // cv2's output at those pixels, B, G, R.
  const expected = [
    [7, 12, 19],
    [15, 18, 29],
    [56, 61, 68],
    [71, 74, 83],
    [52, 50, 65],
    [57, 58, 71],
    [98, 98, 114],
    [26, 30, 42],
  ];

  it("should raise a dark crop's contrast exactly as FaceFusion's CLAHE on L* does", () => {
    const out = optimizeDarkContrast(dark());
    const bgr = where.map(([x, y]) => {
      const i = (y * 256 + x) * 3;
      return [out.data[i + 2], out.data[i + 1], out.data[i]];
    });
    expect(bgr).toEqual(expected);
    // cv2's whole-image mean per channel (B, G, R): 45.42, 47.45, 58.69 (from 25.12, 27.12, 38.10).
    const mean = [0, 0, 0];
    for (let i = 0; i < out.data.length; i++)
      mean[i % 3] = (mean[i % 3] ?? 0) + (out.data[i] ?? 0) / (256 * 256);
    expect(mean[2]).toBeCloseTo(45.42, 0);
    expect(mean[1]).toBeCloseTo(47.45, 0);
    expect(mean[0]).toBeCloseTo(58.69, 0);
  });

  it('should leave a crop that is not dark as it is', () => {
    const bright = dark(40);
    expect(optimizeDarkContrast(bright)).toBe(bright);
  });
});

describe(decode2dfan4.name, () => {
  const coords = () => {
    const c = new Float32Array(68 * 3).fill(32); // (32, 32) on the grid = crop centre
    c.set([0, 0, 0.7], 3); // point 1 at the grid origin
    c.set([64, 16, 0.7], 6); // point 2
    return c;
  };

  it('should map grid points ×4 and back through the crop', () => {
    const heatmaps = new Float32Array(68 * PLANE);
    const { points } = decode2dfan4(coords(), heatmaps, fanCropMatrix(BOX));
    expect(points).toHaveLength(68);
    // (32, 32)·4 = (128, 128) → the box centre.
    expect(points[0]?.[0]).toBeCloseTo(150, 9);
    expect(points[0]?.[1]).toBeCloseTo(115, 9);
    // (0, 0) → (97/1.5, 44.5/1.5) = (64.667, 29.667).
    expect(points[1]?.[0]).toBeCloseTo(97 / 1.5, 9);
    expect(points[1]?.[1]).toBeCloseTo(44.5 / 1.5, 9);
    // (64, 16)·4 = (256, 64) → ((256 + 97)/1.5, (64 + 44.5)/1.5) = (235.333, 72.333).
    expect(points[2]?.[0]).toBeCloseTo(353 / 1.5, 9);
    expect(points[2]?.[1]).toBeCloseTo(108.5 / 1.5, 9);
  });

  it('should score the mean heatmap maximum, mapped [0, 0.9] → [0, 1] and clamped', () => {
    const score = (fill: number, peak: (p: number) => number) => {
      const heatmaps = new Float32Array(68 * PLANE).fill(fill);
      // Peaks at different places, the last one in a map's last cell.
      for (let p = 0; p < 68; p++) heatmaps[p * PLANE + (p === 67 ? PLANE - 1 : (p * 61) % PLANE)] = peak(p);
      return decode2dfan4(coords(), heatmaps, fanCropMatrix(BOX)).score;
    };
    // Every maximum 0.45 → mean 0.45 → 0.5.
    expect(score(0.1, () => 0.45)).toBeCloseTo(0.5, 6);
    // One maximum 0.45 + 68·0.09 = 6.57 → mean 0.54 → 0.6.
    expect(score(0.1, (p) => (p === 67 ? 0.45 + 68 * 0.09 : 0.45))).toBeCloseTo(0.6, 5);
    expect(score(0, () => 1)).toBe(1);
    expect(score(-0.3, () => -0.2)).toBe(0);
  });

  it('should reject outputs of the wrong size', () => {
    expect(() =>
      decode2dfan4(new Float32Array(68 * 2), new Float32Array(68 * PLANE), fanCropMatrix(BOX)),
    ).toThrow(/68×3/);
  });
});

describe(prepare2dfan4Input.name, () => {
  it('should crop to 256², /255, in BGR order, black outside the image', () => {
    const image = { width: 300, height: 300, channels: 3 as const, data: new Uint8Array(300 * 300 * 3) };
    for (let i = 0; i < image.data.length; i += 3) image.data.set([200, 100, 50], i);
    const at = (t: Float32Array, c: number, x: number, y: number) => t[c * 256 * 256 + y * 256 + x];
    // BOX's crop covers image x 64.7..234.7, y 29.7..199.7: all inside.
    const inside = prepare2dfan4Input(image, BOX).tensor;
    expect(inside).toHaveLength(3 * 256 * 256);
    expect([at(inside, 0, 0, 0), at(inside, 1, 0, 0), at(inside, 2, 255, 255)]).toEqual([
      Math.fround(50 / 255),
      Math.fround(100 / 255),
      Math.fround(200 / 255),
    ]);
    // Box (0, 0, 100, 130): crop x 0 is image x (0 − 53)/1.5 < 0 → black; crop centre (50, 65) is inside.
    const edge = prepare2dfan4Input(image, [0, 0, 100, 130]).tensor;
    expect(at(edge, 0, 0, 128)).toBe(0);
    expect(at(edge, 0, 128, 128)).toBe(Math.fround(50 / 255));
  });
});

describe(landmarks68To5.name, () => {
  it('should average the eyes and take the nose tip and mouth corners, image-left first', () => {
    const points = Array.from({ length: 68 }, () => [999, 999] as [number, number]);
    const rightEye: [number, number][] = [
      [90, 120],
      [95, 116],
      [105, 116],
      [110, 120],
      [105, 125],
      [95, 125],
    ];
    const leftEye: [number, number][] = [
      [150, 118],
      [155, 114],
      [165, 114],
      [170, 118],
      [165, 122],
      [155, 122],
    ];
    points.splice(36, 6, ...rightEye);
    points.splice(42, 6, ...leftEye);
    points[30] = [130, 150];
    points[48] = [108, 180];
    points[54] = [152, 182];
    const five = landmarks68To5(points);
    // Right eye: x 600/6 = 100, y (120 + 116 + 116 + 120 + 125 + 125)/6 = 722/6; left eye: 960/6, 708/6.
    expect(five[0]?.[0]).toBeCloseTo(100, 9);
    expect(five[0]?.[1]).toBeCloseTo(722 / 6, 9);
    expect(five[1]).toEqual([160, 118]);
    expect(five.slice(2)).toEqual([
      [130, 150],
      [108, 180],
      [152, 182],
    ]);
    expect(() => landmarks68To5(points.slice(1))).toThrow(/68 points/);
  });
});

describe(refineWithLandmarks.name, () => {
  const points = Array.from({ length: 68 }, (_, i) => [i, 2 * i] as [number, number]);
  // Eyes: means of 36..41 and 42..47 = (38.5, 77), (44.5, 89); nose (30, 60); mouth (48, 96), (54, 108).
  const refined = [
    [38.5, 77],
    [44.5, 89],
    [30, 60],
    [48, 96],
    [54, 108],
  ];
  const blaze: FaceDetection = {
    box: [10, 20, 110, 140],
    score: 0.93,
    keypoints: [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
      [6, 6],
    ],
    keypointNames: ['rightEye', 'leftEye', 'nose', 'mouth', 'rightEar', 'leftEar'],
  };

  it('should replace the keypoints with the 68-derived five above the threshold', () => {
    const face = refineWithLandmarks(blaze, points, 0.51);
    expect(face.keypoints).toEqual(refined);
    expect(face.keypointNames).toEqual(['rightEye', 'leftEye', 'nose', 'mouthRight', 'mouthLeft']);
    expect(face.box).toEqual(blaze.box);
    expect(face.score).toBe(0.93);
    expect(blaze.keypoints).toHaveLength(6); // the input is not modified
  });

  it('should return the detection unchanged at or below the threshold', () => {
    expect(refineWithLandmarks(blaze, points, 0.5)).toBe(blaze);
    expect(refineWithLandmarks(blaze, points, 0.2)).toBe(blaze);
    expect(refineWithLandmarks(blaze, points, 0.7, 0.8)).toBe(blaze);
    expect(refineWithLandmarks(blaze, points, 0.9, 0.8).keypoints).toEqual(refined);
  });
});

describe('2DFAN4 on a fixture model with 2dfan4 I/O', () => {
  it('should run on astronaut.png and put the 68 points where the crop transform maps the grid', async () => {
    // 2dfan4: input "input" float32 [1,3,256,256] → [1,68,3] coordinates, [1,68,64,64] heatmaps
    // (output names are stand-ins; they are read by position).
    const model = await createSession(
      buildFixtureModel({
        inputs: [{ name: 'input', dims: [1, 3, 256, 256] }],
        outputs: [
          { name: 'landmarks', dims: [1, 68, 3] },
          { name: 'heatmaps', dims: [1, 68, 64, 64] },
        ],
      }),
      { id: '2dfan4-fixture', providers: ['cpu'], log: quiet },
    );
    const image = await decodeImage(ASTRONAUT);
    const box: FaceDetection['box'] = [182, 83, 270, 183]; // the face, measured by eye
    const { points, score } = await landmarks68With2dfan4(model, image, box);

    // The fixture's values are the input mean m ∈ [0, 1] ± 0.5, so each grid coordinate is in
    // [−0.5, 1.5] → crop [−2, 6] → image origin + [−2, 6]/1.95, where scale = 195/100 = 1.95 and the
    // crop origin (0, 0) is the box centre (226, 133) − 128/1.95 = (160.359, 67.359).
    expect(points).toHaveLength(68);
    const origin = [226 - 128 / 1.95, 133 - 128 / 1.95];
    for (const p of points) {
      for (const axis of [0, 1]) {
        const v = p[axis] ?? Number.NaN;
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual((origin[axis] ?? 0) - 2 / 1.95 - 1e-9);
        expect(v).toBeLessThanOrEqual((origin[axis] ?? 0) + 6 / 1.95 + 1e-9);
      }
    }

    // Against the raw outputs, read by name here: points through the hand-checked decoder, the
    // score recomputed directly.
    const { tensor, matrix } = prepare2dfan4Input(image, box);
    const raw = await model.run({ input: new ort.Tensor('float32', tensor, [1, 3, 256, 256]) });
    const coords = raw.landmarks?.data as Float32Array;
    const heatmaps = raw.heatmaps?.data as Float32Array;
    expect(points).toEqual(decode2dfan4(coords, heatmaps, matrix).points);
    let sum = 0;
    for (let p = 0; p < 68; p++) sum += Math.max(...heatmaps.subarray(p * PLANE, (p + 1) * PLANE));
    expect(score).toBeCloseTo(Math.min(1, Math.max(0, sum / 68 / 0.9)), 6);
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    await model.release();
  });
});
