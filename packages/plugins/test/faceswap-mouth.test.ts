// The mouth mask (docs/models/face.md §7.5): exactly 0 over the mouth and its margin, 1 far away, a
// monotone ramp between; and at paste level, the target's mouth pixels come through bit for bit.
import {
  type Affine,
  ARCFACE_128_TEMPLATE,
  applyAffine,
  createSession,
  decodeImage,
  invertAffine,
  type ModelSession,
  type Point,
  pasteBack,
  type RgbImage,
  rgbToYuv,
  similarityAffine,
  type YuvImage,
  yuvPlanes,
} from '@visage/inference';
import { ASTRONAUT } from '@visage/inference/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLAZEFACE_MODEL_PATH, detectFacesBlazeFace } from '../src/face/blazeface.ts';
import { alignFace, EYES_ONLY, type FivePoints, fivePoints } from '../src/faceswap/align.ts';
import { faceMask, intersectMasks } from '../src/faceswap/masks.ts';
import {
  convexHull,
  MOUTH_LANDMARKS,
  mouthKeepMask,
  mouthMargin,
  mouthPointsInCrop,
} from '../src/faceswap/mouth-mask.ts';

const at = (mask: Float32Array, size: number, x: number, y: number) => mask[y * size + x] ?? Number.NaN;

describe(mouthKeepMask.name, () => {
  // A 20×20 square mouth at (40..60)², margin 3, feather 10, on a 100² crop.
  const square: Point[] = [
    [40, 40],
    [60, 40],
    [60, 60],
    [40, 60],
  ];
  const mask = mouthKeepMask(100, square, { margin: 3, feather: 10 });

  it('should be exactly 0 inside the mouth and within the margin, exactly 1 beyond the ramp', () => {
    for (let y = 40; y <= 60; y++) for (let x = 40; x <= 60; x++) expect(at(mask, 100, x, y)).toBe(0);
    expect(at(mask, 100, 37, 50)).toBe(0); // 3 px out: the margin's edge
    expect(at(mask, 100, 50, 63)).toBe(0);
    expect(at(mask, 100, 27, 50)).toBe(1); // 13 px = margin + feather
    expect(at(mask, 100, 0, 0)).toBe(1);
    expect(at(mask, 100, 99, 99)).toBe(1);
    let ones = 0;
    for (const v of mask) if (v === 1) ones++;
    // Everything farther than 13 px from the square is 1: 100² minus the square grown by 13 with
    // rounded corners, (20 + 26)² − (4 − π)·13², counted on the pixel grid (within a few pixels).
    expect(Math.abs(100 * 100 - ones - (46 * 46 - (4 - Math.PI) * 169))).toBeLessThan(60);
  });

  it('should ramp as a smoothstep of the distance: u = (d − margin)/feather, 3u² − 2u³', () => {
    expect(at(mask, 100, 32, 50)).toBeCloseTo(0.5, 6); // d 8: u 0.5
    expect(at(mask, 100, 30, 50)).toBeCloseTo(0.784, 6); // d 10: u 0.7 → 0.49·1.6
    expect(at(mask, 100, 35, 35)).toBeCloseTo(0.36225, 4); // d √50 = 7.0711: u 0.40711
  });

  it('should never fall going away from the mouth', () => {
    for (const [dx, dy] of [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
      [1, 1],
      [-1, 1],
    ] as const) {
      let previous = 0;
      for (let x = 50, y = 50; x >= 0 && y >= 0 && x < 100 && y < 100; x += dx, y += dy) {
        const v = at(mask, 100, x, y);
        expect(v).toBeGreaterThanOrEqual(previous);
        previous = v;
      }
      expect(previous).toBe(1);
    }
  });

  it('should use the convex hull of the points (inner points and points on an edge change nothing)', () => {
    const withInner: Point[] = [...square, [50, 50], [45, 41], [60, 50], [50, 45]];
    expect(convexHull(withInner)).toHaveLength(4);
    expect(Array.from(mouthKeepMask(100, withInner, { margin: 3, feather: 10 }))).toEqual(Array.from(mask));
    expect(() => mouthKeepMask(100, [], {})).toThrow(/at least one/);
    expect(() => mouthKeepMask(100, square, { feather: 0 })).toThrow(/feather/);
  });
});

describe(mouthPointsInCrop.name, () => {
  const points: FivePoints = [
    [30, 50],
    [70, 50],
    [50, 70],
    [40, 100],
    [80, 100],
  ];
  const identity: Affine = Float64Array.of(1, 0, 0, 0, 1, 0);

  it('should draw two half-ellipses through the mouth corners: 0.35·width up, 0.6·width down', () => {
    // Corners (40, 100) and (80, 100): width 40, up to y = 100 − 14 = 86, down to y = 100 + 24 = 124.
    const outline = mouthPointsInCrop({ points }, identity);
    const xs = outline.map((p) => p[0]);
    const ys = outline.map((p) => p[1]);
    expect(Math.min(...xs)).toBeCloseTo(40, 6);
    expect(Math.max(...xs)).toBeCloseTo(80, 6);
    expect(Math.min(...ys)).toBeCloseTo(86, 6);
    expect(Math.max(...ys)).toBeCloseTo(124, 6);
    // Upside-down face (nose below the mouth): "down" turns with it.
    const flipped = points.map(([x, y]) => [x, 200 - y]) as unknown as FivePoints;
    const ys2 = mouthPointsInCrop({ points: flipped }, identity).map((p) => p[1]);
    expect(Math.min(...ys2)).toBeCloseTo(100 - 24, 6);
    expect(Math.max(...ys2)).toBeCloseTo(100 + 14, 6);
  });

  it('should map through face→crop, and take 68-point landmarks 48–67 when there are', () => {
    const m = similarityAffine(0, 2, [0, 0], [10, -5]); // ×2, then shifted
    const outline = mouthPointsInCrop({ points }, m);
    expect(Math.min(...outline.map((p) => p[1]))).toBeCloseTo(2 * 86 - 5, 6);
    const landmarks68 = Array.from({ length: 68 }, (_, i) => [i, 1000 + i] as Point);
    const mouth = mouthPointsInCrop({ points, landmarks68 }, m);
    expect(mouth).toHaveLength(20);
    expect(mouth[0]).toEqual(applyAffine(m, [48, 1048]));
    expect(mouth[19]).toEqual(applyAffine(m, [67, 1067]));
    expect(MOUTH_LANDMARKS).toEqual([
      48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67,
    ]);
    expect(() => mouthPointsInCrop({ points, landmarks68: landmarks68.slice(1) }, m)).toThrow(/67 points/);
  });

  it('should size the margin from the crop scale: 2 + 1.5·s', () => {
    expect(mouthMargin(similarityAffine(0, 1, [0, 0], [0, 0]))).toBeCloseTo(3.5, 9);
    expect(mouthMargin(similarityAffine(30, 2, [0, 0], [7, 9]))).toBeCloseTo(5, 9);
  });
});

// At paste level: a crop that differs from the face everywhere (flat green) pasted onto astronaut.png
// through min(box, mouth); every frame pixel inside the mouth outline must keep its exact value.
describe('mouth mask at paste-back', () => {
  let blazeface: ModelSession;
  let astronaut: RgbImage;
  let points: FivePoints;

  beforeAll(async () => {
    blazeface = await createSession(BLAZEFACE_MODEL_PATH, {
      id: 'blazeface',
      providers: ['cpu'],
      log: { warn: () => undefined, debug: () => undefined },
    });
    astronaut = await decodeImage(ASTRONAUT);
    const [face] = await detectFacesBlazeFace(blazeface, astronaut);
    if (!face) throw new Error('no face on astronaut.png');
    points = fivePoints(face).points;
  });
  afterAll(() => blazeface.release());

  /** The outline's hull in frame pixels, and the frame pixels inside it. */
  function framePolygon(mouthInCrop: Point[], cropToFrame: Affine, width: number, height: number) {
    const hull = convexHull(mouthInCrop.map((p) => applyAffine(cropToFrame, p)));
    const inside: [number, number][] = [];
    const xs = hull.map((p) => p[0]);
    const ys = hull.map((p) => p[1]);
    for (let y = Math.floor(Math.min(...ys)); y <= Math.ceil(Math.max(...ys)); y++) {
      for (let x = Math.floor(Math.min(...xs)); x <= Math.ceil(Math.max(...xs)); x++) {
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const left = hull.every((a, i) => {
          const b = hull[(i + 1) % hull.length] as Point;
          return (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) >= 0;
        });
        if (left) inside.push([x, y]);
      }
    }
    return inside;
  }

  function setup(size: number, landmarks68?: Point[]) {
    const { matrix } = alignFace(astronaut, points, ARCFACE_128_TEMPLATE, size, {
      templateSize: 128,
      weights: EYES_ONLY,
    });
    const green: RgbImage = { width: size, height: size, channels: 3, data: new Uint8Array(size * size * 3) };
    for (let i = 1; i < green.data.length; i += 3) green.data[i] = 255;
    const mouth = mouthPointsInCrop({ points, ...(landmarks68 ? { landmarks68 } : {}) }, matrix);
    const box = faceMask(size, { maskBlur: 0.3, maskPadding: [0, 0, 0, 0] });
    const keep = mouthKeepMask(size, mouth, { margin: mouthMargin(matrix) });
    return { matrix, green, mouth, mask: intersectMasks(box, keep), cropToFrame: invertAffine(matrix) };
  }

  /**
   * Frame pixels in the middle of the box (crop 20–80 %, where the box mask is ≈ 1) whose crop point
   * is farther than margin + feather + 2 px from the mouth outline's bounding box.
   */
  function faceElsewhere(size: number, matrix: Affine, mouth: Point[]): [number, number][] {
    const reach = mouthMargin(matrix) + 0.06 * size + 2;
    const xs = mouth.map((p) => p[0]);
    const ys = mouth.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const out: [number, number][] = [];
    for (let y = 0; y < astronaut.height; y++) {
      for (let x = 0; x < astronaut.width; x++) {
        const [cx, cy] = applyAffine(matrix, [x, y]);
        if (cx < 0.2 * size || cx > 0.8 * size || cy < 0.2 * size || cy > 0.8 * size) continue;
        const dx = Math.max(x0 - cx, 0, cx - x1);
        const dy = Math.max(y0 - cy, 0, cy - y1);
        if (Math.hypot(dx, dy) > reach) out.push([x, y]);
      }
    }
    return out;
  }

  const synthetic68 = (): Point[] => {
    // A wide-open mouth drawn around the five points' mouth centre: 20 points on a 60 × 40 px ellipse.
    const [cx, cy] = [(points[3][0] + points[4][0]) / 2, (points[3][1] + points[4][1]) / 2 + 8];
    return Array.from({ length: 68 }, (_, i) => {
      const t = ((i - 48) / 20) * 2 * Math.PI;
      return (i >= 48 ? [cx + 30 * Math.cos(t), cy + 20 * Math.sin(t)] : points[2]) as Point;
    });
  };

  for (const size of [256, 128]) {
    for (const source of ['five points', '68 landmarks'] as const) {
      it(`should leave the mouth bit-identical in RGB and yuv420p (${size}² crop, ${source})`, () => {
        const { matrix, green, mouth, mask, cropToFrame } = setup(
          size,
          source === '68 landmarks' ? synthetic68() : undefined,
        );
        const inside = framePolygon(mouth, cropToFrame, astronaut.width, astronaut.height);
        expect(inside.length).toBeGreaterThan(source === '68 landmarks' ? 1500 : 400);
        const elsewhere = faceElsewhere(size, matrix, mouth);
        expect(elsewhere.length).toBeGreaterThan(1000);

        const frame: RgbImage = { ...astronaut, data: Uint8Array.from(astronaut.data) };
        pasteBack(frame, green, cropToFrame, mask);
        const same = (x: number, y: number) => {
          const i = (y * frame.width + x) * 3;
          return [0, 1, 2].every((c) => frame.data[i + c] === astronaut.data[i + c]);
        };
        expect(inside.filter(([x, y]) => !same(x, y))).toEqual([]);
        expect(elsewhere.filter(([x, y]) => same(x, y))).toEqual([]);

        // yuv420p: the pixel's luma and its 2×2 block's chroma both unchanged.
        const yuv = rgbToYuv(astronaut);
        const before = yuvPlanes(yuv);
        const original = {
          y: Uint8Array.from(before.y),
          u: Uint8Array.from(before.u),
          v: Uint8Array.from(before.v),
        };
        pasteBack(yuv as YuvImage, green, cropToFrame, mask);
        const after = yuvPlanes(yuv);
        const half = yuv.width >> 1;
        const changedYuv = inside.filter(([x, y]) => {
          const c = (y >> 1) * half + (x >> 1);
          return (
            after.y[y * yuv.width + x] !== original.y[y * yuv.width + x] ||
            after.u[c] !== original.u[c] ||
            after.v[c] !== original.v[c]
          );
        });
        expect(changedYuv).toEqual([]);
        expect(
          elsewhere.filter(([x, y]) => after.y[y * yuv.width + x] === original.y[y * yuv.width + x]).length,
        ).toBeLessThan(elsewhere.length / 20);
      });
    }
  }

  it('should need the margin: with none and a 1 px ramp, mouth pixels at the outline get blended', () => {
    const { green, mouth, cropToFrame } = setup(256);
    const box = faceMask(256, { maskBlur: 0.3, maskPadding: [0, 0, 0, 0] });
    const bare = intersectMasks(box, mouthKeepMask(256, mouth, { margin: 0, feather: 1 }));
    const frame: RgbImage = { ...astronaut, data: Uint8Array.from(astronaut.data) };
    pasteBack(frame, green, cropToFrame, bare);
    const inside = framePolygon(mouth, cropToFrame, astronaut.width, astronaut.height);
    const changed = inside.filter(([x, y]) => {
      const i = (y * frame.width + x) * 3;
      return frame.data[i + 1] !== astronaut.data[i + 1];
    });
    expect(changed.length).toBeGreaterThan(0);
  });
});
