// Colour correction (Visage's own option, docs/models/face.md §5.4): off by default, since no reference
// tool transfers colour after inswapper; when on, a CIELAB mean/σ transfer measured on the face region
// only, a region drawn from the crop's template so it sits on the same part of the face at any size.
import {
  type Affine,
  ARCFACE_112_V1_TEMPLATE,
  ARCFACE_128_TEMPLATE,
  applyAffine,
  estimateSimilarity,
  invertAffine,
  labStats,
  type Point,
  type RgbImage,
  scaleTemplate,
} from '@visage/inference';
import type { FaceTemplate } from '@visage/inference/models';
import { describe, expect, it } from 'vitest';
import { colourRegionEllipse, colourRegionMask, matchFaceColour } from '../src/faceswap/colour-match.ts';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import { TemporalSmoother } from '../src/faceswap/temporal.ts';

const SOURCE = '0190c5a0-0000-7000-8000-00000000003a';

/** A size² crop: `face` (± a small ripple) inside the template's colour region, `around` outside it. */
function crop(
  template: FaceTemplate,
  size: number,
  face: readonly number[],
  around: readonly number[],
): RgbImage {
  const region = colourRegionMask(template, size);
  const data = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const ripple = ((p * 7) % 11) - 5;
    for (let c = 0; c < 3; c++) data[p * 3 + c] = region[p] ? (face[c] ?? 0) + ripple : (around[c] ?? 0);
  }
  return { width: size, height: size, channels: 3, data };
}

describe('colour correction', () => {
  it('should be off by default', () => {
    expect(faceswapPlugin.input.parse({ source: [SOURCE], target: SOURCE }).colorCorrection).toBe(false);
  });

  it('should draw the region from the template: on arcface_128 at 128², the ellipse (64.0, 74.0), 28.2 × 34.6', () => {
    // Eyes (46.2946, 51.6963), (81.5318, 51.5014): midpoint (63.913, 51.599), distance 35.238.
    // Mouth corners (49.5493, 92.3655), (78.7299, 92.2041): midpoint (64.140, 92.285). h = 40.687.
    // Centre = midpoint of the two + 0.05·h down; semi-axes 0.8·35.238 and 0.85·40.687.
    const e = colourRegionEllipse('arcface_128', 128);
    expect(e.cx).toBeCloseTo(64.026, 2);
    expect(e.cy).toBeCloseTo(71.942 + 2.034, 2);
    expect(e.rx).toBeCloseTo(28.19, 2);
    expect(e.ry).toBeCloseTo(34.584, 2);
    // The same face part at 256² (pixel boost): everything doubles.
    const big = colourRegionEllipse('arcface_128', 256);
    expect([big.cx, big.cy, big.rx, big.ry]).toEqual(
      [e.cx, e.cy, e.rx, e.ry].map((v) => expect.closeTo(2 * v, 9)),
    );
    // arcface_112_v1 at 112²: eyes at y 51.138, 32.54 apart; mouth at y 87.01; h = 35.872.
    const v1 = colourRegionEllipse('arcface_112_v1', 112);
    expect([v1.cx, v1.cy, v1.rx, v1.ry]).toEqual(
      [56, 69.074 + 1.7936, 26.032, 30.491].map((v) => expect.closeTo(v, 2)),
    );
  });

  it('should cover eyes, nose and mouth and leave corners, hair line and chin out, for each template', () => {
    for (const [template, points, size] of [
      ['arcface_128', ARCFACE_128_TEMPLATE, 128],
      ['arcface_128', ARCFACE_128_TEMPLATE, 512],
      ['arcface_112_v1', ARCFACE_112_V1_TEMPLATE, 112],
      ['arcface_112_v1', ARCFACE_112_V1_TEMPLATE, 224],
    ] as const) {
      const k = size / (template === 'arcface_128' ? 128 : 112);
      const region = colourRegionMask(template, size);
      const at = (x: number, y: number) => region[Math.round(y) * size + Math.round(x)];
      for (const [x, y] of points) expect(at(x * k, y * k)).toBe(1);
      for (const [x, y] of [
        [0, 0],
        [size - 1, 0],
        [size / 2, size * 0.15],
        [size * 0.15, size * 0.58],
        [size / 2, size * 0.95],
      ] as const) {
        expect(at(x, y)).toBe(0);
      }
    }
  });

  it('should sit on the same part of the face for arcface_128 and arcface_112_v1 crops', () => {
    // A face in a frame (the ArcFace points ×3 and moved); each template's crop fitted to it; both
    // regions mapped back to the frame: centres within 5 % of the eye distance, axes within 10 %.
    const face = ARCFACE_128_TEMPLATE.map(([x, y]) => [3 * x + 40, 3 * y + 25] as Point);
    const eyeDistance = 3 * 35.238;
    const inFrame = (template: FaceTemplate, points: readonly Point[], size: number, base: number) => {
      const toCrop: Affine = estimateSimilarity(face, scaleTemplate(points, size / base));
      const back = invertAffine(toCrop);
      const { cx, cy, rx, ry } = colourRegionEllipse(template, size);
      const scale = Math.hypot(back[0] ?? Number.NaN, back[3] ?? Number.NaN);
      return { centre: applyAffine(back, [cx, cy]), rx: rx * scale, ry: ry * scale };
    };
    const a = inFrame('arcface_128', ARCFACE_128_TEMPLATE, 256, 128);
    const b = inFrame('arcface_112_v1', ARCFACE_112_V1_TEMPLATE, 112, 112);
    expect(Math.hypot(a.centre[0] - b.centre[0], a.centre[1] - b.centre[1])).toBeLessThan(0.05 * eyeDistance);
    expect(Math.abs(a.rx / b.rx - 1)).toBeLessThan(0.1);
    expect(Math.abs(a.ry / b.ry - 1)).toBeLessThan(0.1);
  });

  it("should take the target's skin tone (CIELAB mean) from its face, whatever surrounds it, at any size", () => {
    for (const [template, size] of [
      ['arcface_128', 128],
      ['arcface_128', 256],
      ['arcface_112_v1', 112],
    ] as const) {
      // The target's face on a green background (hair, wall, collar: what the box mask also covers).
      const target = crop(template, size, [180, 130, 110], [40, 220, 60]);
      const swapped = crop(template, size, [150, 118, 100], [90, 90, 90]);
      const region = colourRegionMask(template, size);
      const want = labStats(target, region);
      const got = labStats(matchFaceColour(swapped, target, template), region);
      for (let c = 0; c < 3; c++) {
        expect(Math.abs((got.mean[c] ?? Number.NaN) - (want.mean[c] ?? 0))).toBeLessThan(0.3);
        expect(Math.abs((got.std[c] ?? Number.NaN) - (want.std[c] ?? 0))).toBeLessThan(0.3);
      }
    }
    const a = crop('arcface_128', 128, [1, 2, 3], [0, 0, 0]);
    expect(() => matchFaceColour(a, crop('arcface_128', 256, [1, 2, 3], [0, 0, 0]), 'arcface_128')).toThrow(
      /one size/,
    );
  });

  it("should follow the target's smoothed statistics in a video", () => {
    // Target L* jumps on frame 2; at strength 0.8 and 30 fps the region's mean moves by α = 0.0927 of
    // the jump (temporal.ts), not all of it.
    const smoother = new TemporalSmoother(0.8, 30);
    const swapped = crop('arcface_128', 128, [150, 118, 100], [90, 90, 90]);
    const dark = crop('arcface_128', 128, [150, 110, 95], [40, 220, 60]);
    const light = crop('arcface_128', 128, [190, 150, 135], [40, 220, 60]);
    const region = colourRegionMask('arcface_128', 128);
    const l = (img: RgbImage) => labStats(img, region).mean[0];
    const first = matchFaceColour(swapped, dark, 'arcface_128', smoother.face(1, 0));
    smoother.endFrame([1]);
    const second = matchFaceColour(swapped, light, 'arcface_128', smoother.face(1, 1000 / 30));
    smoother.endFrame([1]);
    expect(Math.abs(l(first) - l(dark))).toBeLessThan(0.3);
    const expected = l(dark) + 0.0926953 * (l(light) - l(dark));
    expect(Math.abs(l(second) - expected)).toBeLessThan(0.3);
    expect(l(light) - l(dark)).toBeGreaterThan(10);
  });
});
