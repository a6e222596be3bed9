// Colour correction (Visage's own option, docs/models/face.md §5.4): off by default, since no reference
// tool transfers colour after inswapper; when on, measured on the face region only.
import type { RgbImage } from '@visage/inference';
import { describe, expect, it } from 'vitest';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import { COLOR_REGION, colorRegionMask, matchFaceColour } from '../src/faceswap/swap.ts';

const SOURCE = '0190c5a0-0000-7000-8000-00000000003a';

/** A 128² crop: `face` (± a small ripple) inside COLOR_REGION's ellipse, `around` outside it. */
function crop(face: readonly number[], around: readonly number[]): RgbImage {
  const region = colorRegionMask();
  const data = new Uint8Array(128 * 128 * 3);
  for (let p = 0; p < 128 * 128; p++) {
    const ripple = ((p * 7) % 11) - 5;
    for (let c = 0; c < 3; c++) data[p * 3 + c] = region[p] ? (face[c] ?? 0) + ripple : (around[c] ?? 0);
  }
  return { width: 128, height: 128, channels: 3, data };
}

function meanInside(image: RgbImage): number[] {
  const region = colorRegionMask();
  const sum = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < 128 * 128; p++) {
    if (!region[p]) continue;
    n++;
    for (let c = 0; c < 3; c++) sum[c] = (sum[c] ?? 0) + (image.data[p * 3 + c] ?? 0);
  }
  return sum.map((s) => s / n);
}

describe('colour correction', () => {
  it('should be off by default', () => {
    expect(faceswapPlugin.input.parse({ source: [SOURCE], target: SOURCE }).colorCorrection).toBe(false);
  });

  it('should cover the inner face of the 128² crop: eyes, nose, mouth, not the corners or the hair line', () => {
    const region = colorRegionMask();
    const at = (x: number, y: number) => region[y * 128 + x];
    // arcface_128 template: eyes (46.3, 51.7), (81.5, 51.5); nose (64.0, 71.7); mouth (49.5, 92.4), (78.7, 92.2).
    for (const [x, y] of [
      [46, 52],
      [82, 52],
      [64, 72],
      [50, 92],
      [79, 92],
    ] as const) {
      expect(at(x, y)).toBe(1);
    }
    for (const [x, y] of [
      [0, 0],
      [127, 0],
      [64, 20],
      [20, 74],
      [64, 120],
    ] as const) {
      expect(at(x, y)).toBe(0);
    }
    expect(COLOR_REGION).toEqual({ cx: 64, cy: 74, rx: 28, ry: 34 });
  });

  it("should take the target's skin tone from its face, whatever surrounds it", () => {
    const skin = [180, 130, 110];
    // The target's face on a green background (hair, wall, collar: what the box mask also covers).
    const target = crop(skin, [40, 220, 60]);
    const swapped = crop([150, 118, 100], [90, 90, 90]);
    const matched = meanInside(matchFaceColour(swapped, target));
    for (let c = 0; c < 3; c++) expect(Math.abs((matched[c] ?? 0) - (skin[c] ?? 0))).toBeLessThan(1);
  });
});
