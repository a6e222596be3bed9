import { describe, expect, it } from 'vitest';
import {
  applyLabTransfer,
  colorTransfer,
  createImage,
  lab8Lightness,
  lab8ToRgb,
  labStats,
  labToRgb,
  type RgbImage,
  rgbToLab,
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

// Reference values: Bruce Lindbloom's CIE colour calculator (sRGB, D65, companding sRGB), the values
// quoted for these colours across the literature: red 53.2408, 80.0925, 67.2032; green 87.7347,
// −86.1827, 83.1793; blue 32.2970, 79.1875, −107.8602; grey 128 → L* 53.585; grey 119 → L* 50.03.
describe('float CIELAB', () => {
  it('rgbToLab gives the published sRGB D65 values', () => {
    const lab = rgbToLab(
      image([
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [255, 255, 255],
        [0, 0, 0],
        [128, 128, 128],
        [119, 119, 119],
      ]),
    );
    const expected = [
      [53.2408, 80.0925, 67.2032],
      [87.7347, -86.1827, 83.1793],
      [32.297, 79.1875, -107.8602],
      [100, 0, 0],
      [0, 0, 0],
      [53.585, 0, 0],
      [50.03, 0, 0],
    ];
    expected.forEach((v, p) => {
      for (let c = 0; c < 3; c++)
        expect(lab[p * 3 + c]).toBeCloseTo(v[c] ?? Number.NaN, c === 0 && p === 6 ? 2 : 3);
    });
  });

  it('uses the CIE linear segment below ε: sRGB (1, 1, 1) → L* = κ·Y', () => {
    // Y = (1/255)/12.92 = 3.0353e-4 < ε = 0.008856, so L* = (24389/27)·Y = 0.27418 (not 116·∛Y − 16).
    expect(rgbToLab(image([[1, 1, 1]]))[0]).toBeCloseTo(0.27418, 4);
  });

  it('labToRgb undoes rgbToLab exactly on a 52³ grid of colours, and rounds, clamps out-of-gamut values', () => {
    const grid = createImage(52 ** 3, 1, 3);
    for (let i = 0; i < 52 ** 3; i++)
      grid.data.set([Math.floor(i / 2704) * 5, (Math.floor(i / 52) % 52) * 5, (i % 52) * 5], i * 3);
    const back = labToRgb(rgbToLab(grid), grid.width, 1);
    let differ = 0;
    for (let i = 0; i < grid.data.length; i++) if (back.data[i] !== grid.data[i]) differ++;
    expect(differ).toBe(0);
    // L* 53.2408 a* 80.0925 b* 67.2032 is pure red; L* 120 is whiter than white; L* 50 a* −300 is out of
    // gamut: linear RGB (−0.4499, 0.37386, 0.17330) by the CIE inverse and Lindbloom's matrix (numpy),
    // companded ×255: −1482, 164.52, 115.58 → 0, 165, 116.
    expect(
      Array.from(labToRgb(Float32Array.of(53.2408, 80.0925, 67.2032, 120, 0, 0, 50, -300, 0), 3, 1).data),
    ).toEqual([255, 0, 0, 255, 255, 255, 0, 165, 116]);
    expect(() => labToRgb(new Float32Array(5), 2, 1)).toThrow(/needs 6 values/);
  });

  it('labStats weighs pixels by the mask', () => {
    // Greys 0 and 255: L* 0 and 100. Equal weights: mean 50, σ 50. Weights 1 and 3: mean 75, σ = √(0.25·0.75)·100.
    const img = image([
      [0, 0, 0],
      [255, 255, 255],
      [255, 0, 0],
    ]);
    const even = labStats(img, Float32Array.of(1, 1, 0));
    expect(even.mean[0]).toBeCloseTo(50, 4);
    expect(even.std[0]).toBeCloseTo(50, 4);
    expect(even.mean[1]).toBeCloseTo(0, 4);
    const uneven = labStats(img, Float32Array.of(0.25, 0.75, 0));
    expect(uneven.mean[0]).toBeCloseTo(75, 4);
    expect(uneven.std[0]).toBeCloseTo(Math.sqrt(0.1875) * 100, 4);
    expect(labStats(img).mean[1]).toBeCloseTo(80.0925 / 3, 3);
    expect(() => labStats(img, Float32Array.of(0, 0, 0))).toThrow(/selects no pixels/);
    expect(() => labStats(img, Float32Array.of(1, 1))).toThrow(/2 values/);
  });

  it('applyLabTransfer moves the region to the target statistics, per channel', () => {
    // Two greys, L* 50.03 (119) and 53.585 (128) → mean 51.81, σ 1.777; to mean 53.2408, σ 0 in L*,
    // a* 80.0925, b* 67.2032 (pure red's): both pixels become pure red.
    const img = image([
      [119, 119, 119],
      [128, 128, 128],
    ]);
    const from = labStats(img);
    const red = { mean: [53.2408, 80.0925, 67.2032], std: [0, 0, 0] } as const;
    expect(Array.from(applyLabTransfer(img, from, red).data)).toEqual([255, 0, 0, 255, 0, 0]);
    // Same statistics both ways: unchanged (the round trip is exact).
    const tinted = image([
      [200, 80, 30],
      [10, 90, 250],
      [128, 128, 128],
    ]);
    const stats = labStats(tinted);
    expect(Array.from(applyLabTransfer(tinted, stats, stats).data)).toEqual(Array.from(tinted.data));
    // L* spread doubled about the mean: grey 119 ↔ 128 (L* 50.03, 53.585) → L* 48.26 and 55.36.
    const doubled = { mean: from.mean, std: [from.std[0] * 2, 0, 0] } as const;
    const out = rgbToLab(applyLabTransfer(img, from, doubled));
    expect(out[0]).toBeCloseTo(48.26, 0);
    expect(out[3]).toBeCloseTo(55.36, 0);
    expect(() => applyLabTransfer(img, from, { mean: [Number.NaN, 0, 0], std: [1, 1, 1] })).toThrow(/finite/);
  });

  it('applyLabTransfer keeps alpha', () => {
    const img = image(
      [
        [10, 20, 30, 77],
        [40, 50, 60, 200],
      ],
      4,
    );
    const s = labStats(img);
    expect(Array.from(applyLabTransfer(img, s, s).data)).toEqual([10, 20, 30, 77, 40, 50, 60, 200]);
  });
});
