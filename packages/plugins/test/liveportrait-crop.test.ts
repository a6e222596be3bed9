// biome-ignore-all lint/style/noNonNullAssertion: array reads in the checks are in bounds
// Golden tests for LivePortrait's crop rectangle (docs/models/liveportrait.md §5.2, LP crop.py
// parse_rect_from_landmark / _estimate_similar_transform_from_pts) and the paste-back mask (§6.2).
// Expected values are worked out by hand in the comments.

import { applyAffine, composeAffine, type Point } from '@visage/inference';
import { describe, expect, it } from 'vitest';
import {
  cropRectFromLandmarks,
  fivePointAnchors,
  indexAnchors,
  LANDMARK_106_ANCHORS,
  LANDMARK_203_ANCHORS,
  pasteMask,
} from '../src/liveportrait/crop.ts';

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

  it('takes a detector’s five keypoints plus its box corners', () => {
    const kps: Point[] = [
      [200, 200],
      [260, 200],
      [230, 240],
      [210, 280],
      [250, 280],
    ];
    const anchors = fivePointAnchors(kps);
    expect(anchors.lip).toEqual([230, 280]);
    const box: Point[] = [
      [150, 150],
      [310, 150],
      [310, 330],
      [150, 330],
    ];
    const r = cropRectFromLandmarks([...kps, ...box], anchors);
    expect(r.side).toBeCloseTo(SIDE, 9);
    expectPoint(r.centre, CENTRE);
  });

  it('falls back to uy = (0,1) when the lip sits on the eyes', () => {
    const r = cropRectFromLandmarks(FACE, { eyes: [LIP, LIP], lip: LIP });
    expect(r.angle).toBe(0);
  });
});

describe('pasteMask', () => {
  const N = 512;
  const m = pasteMask();
  const at = (x: number, y: number) => m[y * N + x]!;

  it('ramps linearly over 16 px from 0 at the edge to 1, with the product at the corners', () => {
    expect(m).toHaveLength(N * N);
    expect(at(0, 256)).toBe(0); // edge pixel: min(1, 0/16)
    expect(at(8, 256)).toBe(0.5); // 8 px in
    expect(at(4, 256)).toBe(0.25);
    expect(at(16, 256)).toBe(1); // 16 px in
    expect(at(256, 256)).toBe(1); // centre
    expect(at(511, 256)).toBe(0); // far edge
    expect(at(503, 256)).toBe(0.5); // 511 − 8
    expect(at(256, 8)).toBe(0.5);
    expect(at(0, 0)).toBe(0); // corner
    expect(at(8, 8)).toBe(0.25); // 0.5·0.5 (a min would give 0.5)
    expect(at(4, 12)).toBe(0.1875); // 0.25·0.75
  });

  it('is symmetric and cached', () => {
    for (const [x, y] of [
      [3, 7],
      [10, 200],
      [0, 15],
      [255, 100],
    ] as const) {
      const v = at(x, y);
      expect(at(N - 1 - x, y)).toBe(v);
      expect(at(x, N - 1 - y)).toBe(v);
      expect(at(y, x)).toBe(v);
    }
    expect(pasteMask(512)).toBe(m);
    const small = pasteMask(8); // distances 0..3 → at most 3/16
    expect(small[3 * 8 + 4]).toBe((3 / 16) * (3 / 16));
    expect(() => pasteMask(0)).toThrow(RangeError);
  });
});
