// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// Wan-VAE latent normalisation against the constants of docs/models/wan.md §6.2, the frame rule of
// §6.3, and the RGB preview's layout, range and a few values worked by hand.
import { describe, expect, it } from 'vitest';
import {
  denormaliseLatent,
  LATENT_MEAN,
  LATENT_STD,
  latentFrames,
  latentPreviewRgb,
  normaliseLatent,
  PREVIEW_RGB_BIAS,
  PREVIEW_RGB_FACTORS,
} from '../src/wan/latents.ts';

// docs/models/wan.md §6.2
const MEAN = [
  -0.7571, -0.7089, -0.9113, 0.1075, -0.1745, 0.9653, -0.1517, 1.5508, 0.4134, -0.0715, 0.5517, -0.3632,
  -0.1922, -0.9497, 0.2503, -0.2921,
];
const STD = [
  2.8184, 1.4541, 2.3275, 2.6558, 1.2196, 1.7708, 2.6052, 2.0743, 3.2687, 2.1526, 2.8652, 1.5579, 1.6382,
  1.1253, 2.8251, 1.916,
];

describe('latent normalisation', () => {
  const [T, h, w] = [2, 3, 4];
  const plane = T * h * w;

  it('uses the §6.2 constants', () => {
    expect(Array.from(LATENT_MEAN)).toEqual(MEAN.map(Math.fround));
    expect(Array.from(LATENT_STD)).toEqual(STD.map(Math.fround));
  });

  it('z = (μ − mean_c)/std_c per channel block of T·h·w values', () => {
    // Channel c holds mean_c + k_c·std_c with k_c = c − 7.5 (its own value on every position).
    const mu = new Float32Array(16 * plane);
    for (let c = 0; c < 16; c++) mu.fill(MEAN[c]! + (c - 7.5) * STD[c]!, c * plane, (c + 1) * plane);
    const z = normaliseLatent(mu, T, h, w);
    expect(z).toBe(mu);
    for (let c = 0; c < 16; c++) {
      for (let j = 0; j < plane; j++) expect(z[c * plane + j]).toBeCloseTo(c - 7.5, 5);
    }
  });

  it('denormalise inverts normalise', () => {
    const x = Float32Array.from({ length: 16 * plane }, (_, j) => Math.sin(j) * 4);
    const y = denormaliseLatent(normaliseLatent(x.slice(), T, h, w), T, h, w);
    for (let j = 0; j < x.length; j++) expect(y[j]).toBeCloseTo(x[j]!, 5);
    // and a normalised 0 is the channel mean
    const zero = denormaliseLatent(new Float32Array(16 * plane), T, h, w);
    for (let c = 0; c < 16; c++) expect(zero[c * plane + 5]).toBeCloseTo(MEAN[c]!, 6);
  });

  it('rejects a tensor of the wrong size', () => {
    expect(() => normaliseLatent(new Float32Array(10), T, h, w)).toThrow(/\[16, 2, 3, 4\]/);
    expect(() => denormaliseLatent(new Float32Array(0), 0, h, w)).toThrow(/T must be/);
  });
});

describe('latentFrames', () => {
  it('follows F = 4k + 1 → k + 1', () => {
    expect(latentFrames(81)).toBe(21);
    expect(latentFrames(1)).toBe(1);
    expect(() => latentFrames(80)).toThrow(/4k \+ 1/);
  });
});

describe('latentPreviewRgb', () => {
  const [T, h, w] = [2, 2, 3];
  const plane = T * h * w;

  it('uses the published Wan 2.1 factors (blissful-tuner latent_preview.py "wan", after ComfyUI Wan21)', () => {
    expect(PREVIEW_RGB_FACTORS).toEqual([
      [-0.1299, -0.1692, 0.2932],
      [0.0671, 0.0406, 0.0442],
      [0.3568, 0.2548, 0.1747],
      [0.0372, 0.2344, 0.142],
      [0.0313, 0.0189, -0.0328],
      [0.0296, -0.0956, -0.0665],
      [-0.3477, -0.4059, -0.2925],
      [0.0166, 0.1902, 0.1975],
      [-0.0412, 0.0267, -0.1364],
      [-0.1293, 0.074, 0.1636],
      [0.068, 0.3019, 0.1128],
      [0.0032, 0.0581, 0.0639],
      [-0.1251, 0.0927, 0.1699],
      [0.006, -0.0633, 0.0005],
      [0.3477, 0.2275, 0.295],
      [0.1984, 0.0913, 0.1861],
    ]);
    expect(PREVIEW_RGB_BIAS).toEqual([-0.1835, -0.0868, -0.336]);
  });

  it('all channels at 1 give bias + column sums', () => {
    // sums R 0.3887, G 0.8771, B 1.3152 → rgb 0.2052, 0.7903, 0.9792 → ·127.5 + 127.5 = 153.7, 228.3, 252.3
    const img = latentPreviewRgb(new Float32Array(16 * plane).fill(1), T, h, w, 0);
    expect(Array.from(img.data.subarray(0, 3))).toEqual([154, 228, 252]);
  });

  it('is a w×h RGB image; a zero latent shows the bias', () => {
    const img = latentPreviewRgb(new Float32Array(16 * plane), T, h, w, 1);
    expect(img.width).toBe(3);
    expect(img.height).toBe(2);
    expect(img.data.length).toBe(3 * 2 * 3);
    // bias (−0.1835, −0.0868, −0.3360) → (b + 1)/2·255 = 104.1, 116.4, 84.7
    for (let p = 0; p < 6; p++)
      expect(Array.from(img.data.subarray(3 * p, 3 * p + 3))).toEqual([104, 116, 85]);
  });

  it('projects channel values of the chosen frame only, pixel by pixel', () => {
    const z = new Float32Array(16 * plane);
    // frame 1, pixel (y 1, x 2) = index 5 of the frame: channel 2 = 1 → R = −0.1835 + 0.3568 = 0.1733
    z[2 * plane + 1 * h * w + 5] = 1;
    // frame 0, pixel 0: channel 6 = −1 → G = −0.0868 + 0.4059 = 0.3191
    z[6 * plane + 0] = -1;
    const f1 = latentPreviewRgb(z, T, h, w, 1);
    expect(f1.data[3 * 5]).toBe(150); // (0.1733 + 1)/2·255 = 149.6
    expect(f1.data[0]).toBe(104);
    const f0 = latentPreviewRgb(z, T, h, w, 0);
    expect(f0.data[1]).toBe(168); // (0.3191 + 1)/2·255 = 168.2
    expect(f0.data[3 * 5]).toBe(104);
  });

  it('clamps to 0…255', () => {
    const big = new Float32Array(16 * plane).fill(100);
    const img = latentPreviewRgb(big, T, h, w, 0);
    // column sums of the factors are positive (R 0.3887, G 0.8771, B 1.3152): 100× that saturates
    expect(Array.from(img.data.subarray(0, 3))).toEqual([255, 255, 255]);
    const neg = latentPreviewRgb(big.fill(-100), T, h, w, 0);
    expect(Array.from(neg.data.subarray(0, 3))).toEqual([0, 0, 0]);
  });

  it('rejects a frame outside the latent', () => {
    expect(() => latentPreviewRgb(new Float32Array(16 * plane), T, h, w, 2)).toThrow(/outside 0…1/);
  });
});
