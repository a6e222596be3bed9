import { describe, expect, it } from 'vitest';
import {
  colorTransfer,
  createImage,
  type RgbImage,
  rgbToYCbCr,
  swapRB,
  yCbCrToRgb,
} from '../src/image/index.ts';

function image(pixels: number[][], channels: 3 | 4 = 3): RgbImage {
  const img = createImage(pixels.length, 1, channels);
  img.data.set(pixels.flat());
  return img;
}

describe('colour helpers', () => {
  it('swapRB swaps red and blue, keeps alpha, and undoes itself (also in place)', () => {
    const img = image(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      4,
    );
    expect(Array.from(swapRB(img).data)).toEqual([3, 2, 1, 4, 7, 6, 5, 8]);
    const copy = { ...img, data: Uint8Array.from(img.data) };
    swapRB(copy, copy);
    swapRB(copy, copy);
    expect(Array.from(copy.data)).toEqual(Array.from(img.data));
  });

  it('rgbToYCbCr uses the full-range JPEG matrix (hand-computed values)', () => {
    const ycc = rgbToYCbCr(
      image([
        [255, 255, 255],
        [0, 0, 0],
        [255, 0, 0],
      ]),
    );
    const expected = [255, 128, 128, 0, 128, 128, 76.245, 128 - 0.168736 * 255, 255.5];
    expected.forEach((v, i) => {
      expect(ycc[i]).toBeCloseTo(v, 3);
    });
  });

  it('YCbCr round trip returns the RGB values', () => {
    const pixels: number[][] = [];
    for (let r = 0; r < 256; r += 51)
      for (let g = 0; g < 256; g += 85) for (let b = 0; b < 256; b += 17) pixels.push([r, g, b]);
    const img = image(pixels);
    const back = yCbCrToRgb(rgbToYCbCr(img), img.width, 1);
    for (let i = 0; i < img.data.length; i++)
      expect(Math.abs((back.data[i] ?? 0) - (img.data[i] ?? 0))).toBeLessThanOrEqual(1);
  });

  it('colorTransfer moves the mean and spread of each channel to the reference', () => {
    // Source: greys 100 and 120. Reference: greys 40 and 200. In Y: μ 110 → 120, σ 10 → 80.
    const src = image([
      [100, 100, 100],
      [120, 120, 120],
    ]);
    const ref = image([
      [40, 40, 40],
      [200, 200, 200],
    ]);
    expect(Array.from(colorTransfer(src, ref).data)).toEqual([40, 40, 40, 200, 200, 200]);
    // Identical images are unchanged.
    const tinted = image([
      [200, 80, 30],
      [10, 90, 250],
      [128, 128, 128],
    ]);
    const same = colorTransfer(tinted, tinted);
    for (let i = 0; i < tinted.data.length; i++) {
      expect(Math.abs((same.data[i] ?? 0) - (tinted.data[i] ?? 0))).toBeLessThanOrEqual(1);
    }
  });

  it('colorTransfer measures only the masked pixels', () => {
    const src = image([
      [100, 100, 100],
      [0, 0, 0],
    ]);
    const ref = image([
      [150, 150, 150],
      [255, 0, 0],
    ]);
    // Only pixel 0 counts on both sides: a flat channel is shifted, 100 → 150.
    const out = colorTransfer(src, ref, {
      srcMask: Float32Array.of(1, 0),
      referenceMask: Float32Array.of(1, 0),
    });
    expect(Array.from(out.data.subarray(0, 3))).toEqual([150, 150, 150]);
    expect(() => colorTransfer(src, ref, { srcMask: Float32Array.of(0, 0) })).toThrow(/selects no pixels/);
  });
});
