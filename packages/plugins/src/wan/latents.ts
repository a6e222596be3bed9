// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// Wan-VAE latent space: the frame rule, the per-channel normalisation and a cheap RGB preview
// (docs/models/wan.md §6.2, §6.3, §12.1). Latents are [16, T, h, w] (batch 1 left out).
import type { RgbImage } from '@visage/inference';
import { LATENT_CHANNELS } from './contracts.ts';

/** Per-channel mean and std of Wan 2.1 VAE latents ([WAN] `WanVAE`; docs/models/wan.md §6.2). */
export const LATENT_MEAN = Float32Array.of(
  -0.7571,
  -0.7089,
  -0.9113,
  0.1075,
  -0.1745,
  0.9653,
  -0.1517,
  1.5508,
  0.4134,
  -0.0715,
  0.5517,
  -0.3632,
  -0.1922,
  -0.9497,
  0.2503,
  -0.2921,
);
export const LATENT_STD = Float32Array.of(
  2.8184,
  1.4541,
  2.3275,
  2.6558,
  1.2196,
  1.7708,
  2.6052,
  2.0743,
  3.2687,
  2.1526,
  2.8652,
  1.5579,
  1.6382,
  1.1253,
  2.8251,
  1.916,
);
/** [WAN] stores 1/std (float32) and multiplies by it on encode, divides by it on decode. */
const INV_STD = LATENT_STD.map((s) => 1 / s);

/** Latent frames for F = 4k + 1 pixel frames: (F − 1)/4 + 1 (docs/models/wan.md §6.3). */
export function latentFrames(pixelFrames: number): number {
  if (!Number.isInteger(pixelFrames) || pixelFrames < 1 || (pixelFrames - 1) % 4 !== 0) {
    throw new RangeError(`latentFrames: Wan needs 4k + 1 frames (got ${pixelFrames})`);
  }
  return (pixelFrames - 1) / 4 + 1;
}

/** Checks that `latent` holds [16, T, h, w] values; returns the size of one channel (T·h·w). */
export function checkLatent(where: string, latent: Float32Array, T: number, h: number, w: number): number {
  for (const [name, n] of [
    ['T', T],
    ['h', h],
    ['w', w],
  ] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`${where}: ${name} must be a positive integer (got ${n})`);
  }
  const plane = T * h * w;
  if (latent.length !== LATENT_CHANNELS * plane) {
    throw new RangeError(
      `${where}: expected a [${LATENT_CHANNELS}, ${T}, ${h}, ${w}] latent (${LATENT_CHANNELS * plane} values), got ${latent.length}`,
    );
  }
  return plane;
}

/** VAE encoder output μ → the DiT's latent space: z = (μ − mean)·(1/std), in place (§6.2). */
export function normaliseLatent(mu: Float32Array, T: number, h: number, w: number): Float32Array {
  const plane = checkLatent('normaliseLatent', mu, T, h, w);
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    const mean = LATENT_MEAN[c]!;
    const inv = INV_STD[c]!;
    for (let j = c * plane, end = j + plane; j < end; j++) mu[j] = Math.fround(mu[j]! - mean) * inv;
  }
  return mu;
}

/** The sampler's final z → the VAE decoder's input: μ = z / (1/std) + mean, in place (§6.2). */
export function denormaliseLatent(z: Float32Array, T: number, h: number, w: number): Float32Array {
  const plane = checkLatent('denormaliseLatent', z, T, h, w);
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    const mean = LATENT_MEAN[c]!;
    const inv = INV_STD[c]!;
    for (let j = c * plane, end = j + plane; j < end; j++) z[j] = Math.fround(z[j]! / inv) + mean;
  }
  return z;
}

/**
 * Linear latent → RGB factors for Wan 2.1's normalised latent space, [channel][R, G, B], and the
 * bias; the output is in about [-1, 1]. A fitted table published with ComfyUI's `Wan21` latent
 * format and reproduced in Apache-2.0 code (blissful-tuner `latent_preview.py`); docs/models/wan.md §12.1.
 */
export const PREVIEW_RGB_FACTORS: readonly (readonly [number, number, number])[] = [
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
];
export const PREVIEW_RGB_BIAS = [-0.1835, -0.0868, -0.336] as const;

/**
 * One latent frame of a normalised latent [16, T, h, w] as a w×h RGB image (1/8 of the video size,
 * 3 channels):
 * rgb = bias + Σ_c z_c·factors[c], then (rgb + 1)/2 clamped to [0, 1] → 0…255 (rounded). Meant for
 * the x0 prediction (x − σ·v) rather than the noisy sample. Far cheaper than the VAE decoder.
 */
export function latentPreviewRgb(
  latent: Float32Array,
  T: number,
  h: number,
  w: number,
  frameIndex: number,
): RgbImage {
  const plane = checkLatent('latentPreviewRgb', latent, T, h, w);
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= T) {
    throw new RangeError(`latentPreviewRgb: frame ${frameIndex} is outside 0…${T - 1}`);
  }
  const pixels = h * w;
  const acc = new Float32Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    acc[3 * p] = PREVIEW_RGB_BIAS[0];
    acc[3 * p + 1] = PREVIEW_RGB_BIAS[1];
    acc[3 * p + 2] = PREVIEW_RGB_BIAS[2];
  }
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    const [r, g, b] = PREVIEW_RGB_FACTORS[c]!;
    const base = c * plane + frameIndex * pixels;
    for (let p = 0; p < pixels; p++) {
      const z = latent[base + p]!;
      acc[3 * p] = acc[3 * p]! + r * z;
      acc[3 * p + 1] = acc[3 * p + 1]! + g * z;
      acc[3 * p + 2] = acc[3 * p + 2]! + b * z;
    }
  }
  const data = new Uint8Array(pixels * 3);
  for (let j = 0; j < acc.length; j++) {
    const v = (acc[j]! + 1) / 2;
    data[j] = Math.round(255 * Math.min(Math.max(v, 0), 1));
  }
  return { width: w, height: h, channels: 3, data };
}
