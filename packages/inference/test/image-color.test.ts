import { describe, expect, it } from 'vitest';
import {
  colorTransfer,
  createImage,
  lab8Lightness,
  lab8ToRgb,
  type RgbImage,
  rgbToLab8,
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

// Expected values: cv2.cvtColor(uint8 image, COLOR_RGB2Lab) and back with COLOR_Lab2RGB, OpenCV 4.6.0
// (Debian bookworm python3-opencv). Both functions were also compared with cv2 on all 2²⁴ inputs: equal.
describe('8-bit Lab', () => {
  const colours = [
    [0, 0, 0],
    [255, 255, 255],
    [200, 100, 50],
    [10, 20, 30],
    [5, 5, 5],
    [128, 64, 200],
    [30, 200, 90],
  ];
  const lab = [
    [0, 128, 128],
    [255, 128, 128],
    [137, 164, 173],
    [15, 128, 120],
    [3, 128, 128],
    [107, 181, 68],
    [181, 64, 171],
  ];
  const back = [
    [0, 0, 0],
    [255, 255, 255],
    [200, 101, 51],
    [11, 20, 30],
    [4, 4, 4],
    [128, 65, 200],
    [25, 200, 90],
  ];
  it("rgbToLab8 gives OpenCV's COLOR_RGB2Lab values", () => {
    expect(Array.from(rgbToLab8(image(colours)))).toEqual(lab.flat());
  });

  it("lab8ToRgb inverts it as OpenCV's COLOR_Lab2RGB does", () => {
    expect(Array.from(lab8ToRgb(Uint8Array.from(lab.flat()), colours.length, 1).data)).toEqual(back.flat());
    expect(() => lab8ToRgb(new Uint8Array(5), 2, 1)).toThrow(RangeError);
  });

  // Every channel value 0, 5, …, 255 in all combinations (52³ inputs, channel 0 slowest), read once
  // as RGB and once as Lab; per output channel Σ value·(i mod 7 + 1) over input i, from the same cv2.
  it('matches OpenCV on a 52³ grid of inputs, both ways', () => {
    const grid = createImage(52 ** 3, 1, 3);
    for (let i = 0; i < 52 ** 3; i++)
      grid.data.set([Math.floor(i / 2704) * 5, (Math.floor(i / 52) % 52) * 5, (i % 52) * 5], i * 3);
    const weighted = (values: Uint8Array) => {
      const sums = [0, 0, 0];
      for (let i = 0; i < values.length; i++)
        sums[i % 3] = (sums[i % 3] ?? 0) + (values[i] ?? 0) * ((Math.floor(i / 3) % 7) + 1);
      return sums;
    };
    expect(weighted(rgbToLab8(grid))).toEqual([82713109, 75997140, 74091115]);
    expect(weighted(lab8ToRgb(grid.data, 52 ** 3, 1).data)).toEqual([53910884, 61140806, 67736280]);
  });

  it('lab8Lightness is the L of rgbToLab8, reading B, G, R with "bgr"', () => {
    expect(Array.from(lab8Lightness(image(colours)))).toEqual(lab.map((v) => v[0]));
    const reversed = image(colours.map((c) => [...c].reverse()));
    expect(Array.from(lab8Lightness(reversed, 'bgr'))).toEqual(lab.map((v) => v[0]));
  });
});
