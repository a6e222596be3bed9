// biome-ignore-all lint/style/noNonNullAssertion: array reads in the checks are in bounds
// Golden tests for LivePortrait's crop rectangle (docs/models/liveportrait.md §5.2, LP crop.py
// parse_rect_from_landmark / _estimate_similar_transform_from_pts) and the paste-back mask (§6.2).
// Expected values are worked out by hand in the comments.

import { createHash } from 'node:crypto';
import { applyAffine, composeAffine, type ort, type Point, type RgbImage } from '@visage/inference';
import { describe, expect, it } from 'vitest';
import {
  cropRectFromLandmarks,
  drivingCrop,
  indexAnchors,
  LANDMARK_106_ANCHORS,
  LANDMARK_203_ANCHORS,
  pasteMask,
  squareCropping,
  wholeFrameCropping,
} from '../src/liveportrait/crop.ts';
import { cropsDriving, type DrivingSource } from '../src/liveportrait/driving.ts';
import { networkInput } from '../src/liveportrait/networks.ts';
import { liveportraitSchema } from '../src/liveportrait/schema.ts';

// An upright face: eyes (200,200) and (260,200), lip centre (230,280), inside a 160×180 contour box.
const EYES: [Point, Point] = [
  [200, 200],
  [260, 200],
];
const LIP: Point = [230, 280];
const FACE: Point[] = [EYES[0], EYES[1], LIP, [150, 150], [310, 150], [310, 330], [150, 330]];

// By hand: mid-eye (230,200) → lip (230,280): uy = (0,1), ux = (1,−0) → θ = 0.
// Box in the face frame: x 150..310 (160), y 150..330 (180) → side = max(160,180)·2.3 = 414;
// box centre (230, 240); vy shift: uy·(−0.125·414) = (0, −51.75) → centre (230, 188.25).
// s = 512/414; M = [s, 0, 256 − 230s; 0, s, 256 − 188.25s].
const SIDE = 414;
const CENTRE: Point = [230, 188.25];

function rotateAbout(p: Point, c: Point, degrees: number): Point {
  const a = (degrees * Math.PI) / 180;
  const dx = p[0] - c[0];
  const dy = p[1] - c[1];
  return [c[0] + Math.cos(a) * dx - Math.sin(a) * dy, c[1] + Math.sin(a) * dx + Math.cos(a) * dy];
}

function expectPoint(actual: readonly number[], expected: readonly number[], digits = 9): void {
  expect(actual[0]).toBeCloseTo(expected[0]!, digits);
  expect(actual[1]).toBeCloseTo(expected[1]!, digits);
}

describe('cropRectFromLandmarks', () => {
  it('gives the hand-computed side, centre (shifted up by vy), angle 0 and matrix for an upright face', () => {
    const r = cropRectFromLandmarks(FACE, { eyes: EYES, lip: LIP });
    expect(r.side).toBeCloseTo(SIDE, 9);
    expectPoint(r.centre, CENTRE);
    expect(r.angle).toBeCloseTo(0, 12);
    const s = 512 / 414;
    const expected = [s, 0, 256 - 230 * s, 0, s, 256 - 188.25 * s];
    for (let i = 0; i < 6; i++) expect(r.matrix[i]).toBeCloseTo(expected[i]!, 9);
    expectPoint(applyAffine(r.matrix, CENTRE), [256, 256]);
    // The lip centre is 280 − 188.25 = 91.75 px below the centre → 256 + 91.75·s in the crop.
    expectPoint(applyAffine(r.matrix, LIP), [256, 256 + 91.75 * s]);
  });

  it('honours scale, vx, vy and size', () => {
    // side = 180·2 = 360; centre (230,240) + ux·0.1·360 + uy·0·360 = (266, 240); s = 256/360.
    const r = cropRectFromLandmarks(FACE, { eyes: EYES, lip: LIP, scale: 2, vx: 0.1, vy: 0, size: 256 });
    expect(r.side).toBeCloseTo(360, 9);
    expectPoint(r.centre, [266, 240]);
    expectPoint(applyAffine(r.matrix, [266, 240]), [128, 128]);
    expect(r.matrix[0]).toBeCloseTo(256 / 360, 12);
  });

  it('follows a face rotated by 30° (clockwise on screen): same side, angle +π/6, centre rotated', () => {
    // Rotating by +30° with [[cos,−sin],[sin,cos]] (y down): uy' = (−sin30, cos30), ux' = (cos30, sin30),
    // θ = atan2(sin30, cos30) = +30°. The face-frame box is unchanged, so the side is too, and the
    // centre is the upright centre rotated the same way.
    const pivot: Point = [100, 50];
    const rot = (p: Point) => rotateAbout(p, pivot, 30);
    const r = cropRectFromLandmarks(FACE.map(rot), { eyes: [rot(EYES[0]), rot(EYES[1])], lip: rot(LIP) });
    expect(r.angle).toBeCloseTo(Math.PI / 6, 12);
    expect(r.side).toBeCloseTo(SIDE, 9);
    expectPoint(r.centre, rot(CENTRE));
    // The crop undoes the rotation: each rotated point lands where the upright point did.
    const upright = cropRectFromLandmarks(FACE, { eyes: EYES, lip: LIP });
    for (const p of FACE) expectPoint(applyAffine(r.matrix, rot(p)), applyAffine(upright.matrix, p));
    // A −30° turn gives angle −π/6.
    const back = (p: Point) => rotateAbout(p, pivot, -30);
    const r2 = cropRectFromLandmarks(FACE.map(back), {
      eyes: [back(EYES[0]), back(EYES[1])],
      lip: back(LIP),
    });
    expect(r2.angle).toBeCloseTo(-Math.PI / 6, 12);
  });

  it('has matrix and inverse that compose to the identity', () => {
    const rot = (p: Point) => rotateAbout(p, [300, 200], 47);
    const r = cropRectFromLandmarks(FACE.map(rot), { eyes: [rot(EYES[0]), rot(EYES[1])], lip: rot(LIP) });
    const id = composeAffine(r.inverse, r.matrix);
    const expected = [1, 0, 0, 0, 1, 0];
    for (let i = 0; i < 6; i++) expect(id[i]).toBeCloseTo(expected[i]!, 9);
    expectPoint(applyAffine(r.inverse, [256, 256]), r.centre);
  });

  it('reads 106-point landmarks through the eye groups [33,35,40,39] / [87,89,94,93] and lip (p52+p61)/2', () => {
    const corners: Point[] = FACE.slice(3);
    const pts: Point[] = Array.from({ length: 106 }, (_, i) => corners[i % 4]!);
    // Left-eye group around (200,200), right around (260,200); lip points averaging to (230,280).
    [
      [33, 195, 200],
      [35, 205, 200],
      [40, 200, 195],
      [39, 200, 205],
      [87, 255, 200],
      [89, 265, 200],
      [94, 260, 195],
      [93, 260, 205],
    ].forEach(([i, x, y]) => {
      pts[i!] = [x!, y!];
    });
    pts[52] = [220, 280];
    pts[61] = [240, 280];
    const r = cropRectFromLandmarks(pts, LANDMARK_106_ANCHORS);
    const viaGroups = cropRectFromLandmarks(
      pts,
      indexAnchors({
        eyes: [
          [33, 35, 40, 39],
          [87, 89, 94, 93],
        ],
        lip: [52, 61], // indices, not the point (52, 61)
      }),
    );
    expect(Array.from(viaGroups.matrix)).toEqual(Array.from(r.matrix));
    // Same box as FACE (all points inside the contour box) → same side and centre.
    expect(r.angle).toBeCloseTo(0, 12);
    expect(r.side).toBeCloseTo(SIDE, 9);
    expectPoint(r.centre, CENTRE);
    // Tilting only the lip group to the image-left turns the face frame: uy = unit(−80, 80)… here
    // mid-eye (230,200) → lip (150,280): uy = (−1,1)/√2, ux = (1,1)/√2, θ = +45°.
    pts[52] = [140, 280];
    pts[61] = [160, 280];
    expect(cropRectFromLandmarks(pts, LANDMARK_106_ANCHORS).angle).toBeCloseTo(Math.PI / 4, 12);
    expect(() => cropRectFromLandmarks(pts.slice(0, 50), LANDMARK_106_ANCHORS)).toThrow(RangeError);
  });

  it('reads 203-point landmarks through [0,6,12,18] / [24,30,36,42] and lip (p48+p66)/2', () => {
    const pts: Point[] = Array.from({ length: 203 }, (_, i) => FACE[3 + (i % 4)]!);
    for (const i of [0, 6, 12, 18]) pts[i] = EYES[0];
    for (const i of [24, 30, 36, 42]) pts[i] = EYES[1];
    pts[48] = [230, 270];
    pts[66] = [230, 290];
    const r = cropRectFromLandmarks(pts, { ...LANDMARK_203_ANCHORS, scale: 1.5, vy: -0.1, size: 224 });
    // side = 180·1.5 = 270; centre (230, 240) + (0, −0.1·270) = (230, 213).
    expect(r.side).toBeCloseTo(270, 9);
    expectPoint(r.centre, [230, 213]);
    expectPoint(applyAffine(r.matrix, [230, 213]), [112, 112]);
  });

  it('falls back to uy = (0,1) when the lip sits on the eyes', () => {
    const r = cropRectFromLandmarks(FACE, { eyes: [LIP, LIP], lip: LIP });
    expect(r.angle).toBe(0);
  });
});

// LP's src/utils/resources/mask_template.png (KwaiVGI/LivePortrait @1986663, git blob bca6ca59, file
// sha256 4c53e64a…1ee76; FLP ships the same file), decoded with sharp to its one 8-bit channel: every
// number below was read from that decode, not computed with the code under test.
const TEMPLATE = {
  sha256: '2b2d5e2b9f1ae383c1cbf88546fc65fc6d9cdc84f688501389156e27e2526bb9', // of the 512·512 bytes
  sum: 62_722_395,
  below255: 30_783,
  diagonal: [0, 0, 0, 0, 0, 7, 29, 52, 74, 97, 119, 142, 164, 187, 209, 232, 255], // (i, i), i = 0..16
  farDiagonal: [0, 0, 0, 0, 7, 29, 52, 74, 97, 119, 142, 164, 187, 209, 232, 255, 255], // (511 − i, 511 − i)
  row4: [0, 0, 0, 0, 0, 0, 6, 15, 25, 33, 41, 47, 53, 57, 61, 63, 63, 63, 63, 63], // y 4, x 0..19
  row256: [0, 15, 31, 47, 63, 79, 95, 111, 127, 143, 159, 175, 191, 207, 223, 239, 255], // y 256, x 0..16
  row256Right: [255, 255, 239, 223, 207, 191, 175, 159, 143, 127, 111, 95, 79, 63, 47, 31, 15], // x 495..511
};

describe('pasteMask', () => {
  const N = 512;
  const m = pasteMask();
  const byte = (x: number, y: number) => 255 * m[y * N + x]!;
  const expectWithin = (actual: number[], expected: number[]) => {
    expect(actual).toHaveLength(expected.length);
    for (const [i, v] of expected.entries()) expect(Math.abs(actual[i]! - v)).toBeLessThanOrEqual(1);
  };

  it("equals LP's mask_template.png within 1/255: the ramps, the round corners, the one-pixel asymmetry", () => {
    expect(m).toHaveLength(N * N);
    const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
    expectWithin(
      range(17, (i) => byte(i, i)),
      TEMPLATE.diagonal,
    );
    expectWithin(
      range(17, (i) => byte(511 - i, 511 - i)),
      TEMPLATE.farDiagonal,
    );
    expectWithin(
      range(20, (x) => byte(x, 4)),
      TEMPLATE.row4,
    );
    expectWithin(
      range(17, (x) => byte(x, 256)),
      TEMPLATE.row256,
    );
    expectWithin(
      range(17, (i) => byte(495 + i, 256)),
      TEMPLATE.row256Right,
    );
    expectWithin(
      range(17, (i) => byte(256, 495 + i)),
      TEMPLATE.row256Right,
    );
    // Every pixel: rounded to bytes, the mask is the template byte for byte (so within ½/255).
    const bytes = Uint8Array.from(m, (v) => Math.round(255 * v));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(TEMPLATE.sha256);
    expect(bytes.reduce((a, v) => a + v, 0)).toBe(TEMPLATE.sum);
    expect(bytes.filter((v) => v < 255)).toHaveLength(TEMPLATE.below255);
  });

  it('is cached and needs room for its ramps', () => {
    expect(pasteMask(512)).toBe(m);
    expect(() => pasteMask(32)).toThrow(RangeError);
  });
});

// How a driving picture becomes the motion extractor's 256² input (§5.5, §5.7). Hand values from LP's
// steps: cv2.warpAffine (bilinear, black border) of the bbox to 512², then cv2.resize to 256²
// (bilinear, src = (dst + 0.5)·k − 0.5); a square video used whole is cv2.resize'd straight to 256².
describe('driving crops', () => {
  /** A size² picture whose columns alternate 0 and 200 (even columns 0). */
  const stripes = (size: number): RgbImage => {
    const data = new Uint8Array(size * size * 3);
    for (let i = 0; i < size * size; i++) data.fill((i % size) % 2 ? 200 : 0, 3 * i, 3 * i + 3);
    return { width: size, height: size, channels: 3, data };
  };
  const column = (t: ort.Tensor, x: number, y = 100) => (t.data as Float32Array)[y * 256 + x]!;

  it("samples a face square at 512² and halves it, as LP's crop and cv2.resize do (not straight at 256²)", async () => {
    // Square side 256 centred (128, 128): s = 2, M = [2, 0, 0]: crop column u is image x = u/2. At 512²
    // the columns u = 4k…4k+3 are 0, 100, 200, 100; halved, input column j is 50 (even j) or 150 (odd j).
    const cropping = squareCropping({ centre: [128, 128], side: 256 });
    expect(cropping.size).toBe(512);
    const input = await networkInput(drivingCrop(stripes(256), cropping));
    for (const x of [0, 1, 2, 3, 100, 101, 254, 255]) {
      expect(column(input, x)).toBe(Math.fround((x % 2 ? 150 : 50) / 255));
    }
  });

  it('resizes a square picture used whole as cv2.resize: edges aligned, 2:1 the mean of each column pair', async () => {
    const cropping = wholeFrameCropping({ width: 512, height: 512 });
    expect(cropping.size).toBe(256);
    expectPoint(applyAffine(cropping.matrix, [-0.5, -0.5]), [-0.5, -0.5]);
    expectPoint(applyAffine(cropping.matrix, [511.5, 511.5]), [255.5, 255.5]);
    // Input column j samples x = 2j + 0.5: the mean of 0 and 200.
    const input = await networkInput(drivingCrop(stripes(512), cropping));
    for (const x of [0, 1, 128, 255]) expect(column(input, x, 255)).toBe(Math.fround(100 / 255));
  });

  it('crops a driving video when asked or when it is not square, as LP (flag_crop_driving_video default off)', () => {
    const video = (width: number, height: number) =>
      ({ kind: 'video', info: { width, height } }) as DrivingSource;
    expect(cropsDriving(video(320, 320), false)).toBe(false);
    expect(cropsDriving(video(320, 320), true)).toBe(true);
    expect(cropsDriving(video(640, 360), false)).toBe(true);
    expect(cropsDriving({ kind: 'template' } as DrivingSource, true)).toBe(false);
    expect(liveportraitSchema.shape.cropDriving.parse(undefined)).toBe(false);
  });
});
