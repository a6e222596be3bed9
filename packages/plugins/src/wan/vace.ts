// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// The VACE conditioning of reference-to-video as [WAN]'s `wan/vace.py` builds it
// (docs/models/wan.md §5.2–§5.5, §5.7). Tensors are float32, row-major, batch 1 left out.
import { assertImage, type RgbImage } from '@visage/inference';
import { LATENT_CHANNELS, VACE_CHANNELS } from './contracts.ts';
import { checkLatent } from './latents.ts';

/** The VAE's spatial stride: one latent pixel per 8×8 block (docs/models/wan.md §6.3). */
export const VAE_STRIDE = 8;
/** 8×8 pixel-unshuffle channels of the VACE mask (§5.4). */
export const MASK_CHANNELS = VAE_STRIDE * VAE_STRIDE;

/** Pixel byte → [-1, 1] as [WAN] does it in float32: to_tensor (v/255), then (x − 0.5)/0.5. */
const BYTE_TO_UNIT = Float32Array.from(
  { length: 256 },
  (_, v) => Math.fround(Math.fround(v / 255) - 0.5) / 0.5,
);

export interface LetterboxPlacement {
  /** The resized image's size and its top-left corner on the canvas. */
  width: number;
  height: number;
  left: number;
  top: number;
}

/**
 * Where `prepare_source` puts a srcW×srcH reference on a dstW×dstH canvas (docs/models/wan.md §5.2):
 * scale = min(H/h, W/w) in float64, size truncated, offsets floor((canvas − size)/2). Same size: as is.
 */
export function letterboxPlacement(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
): LetterboxPlacement {
  for (const [name, n] of [
    ['srcW', srcW],
    ['srcH', srcH],
    ['dstW', dstW],
    ['dstH', dstH],
  ] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new RangeError(`letterbox: ${name} must be a positive integer (got ${n})`);
  }
  if (srcW === dstW && srcH === dstH) return { width: dstW, height: dstH, left: 0, top: 0 };
  const scale = Math.min(dstH / srcH, dstW / srcW);
  const height = Math.trunc(srcH * scale);
  const width = Math.trunc(srcW * scale);
  if (width < 1 || height < 1) {
    throw new RangeError(`letterbox: a ${srcW}×${srcH} image shrinks to nothing on a ${dstW}×${dstH} canvas`);
  }
  return { width, height, left: Math.floor((dstW - width) / 2), top: Math.floor((dstH - height) / 2) };
}

/**
 * A reference image → the VAE encoder's input: Float32 CHW [3, dstH, dstW] in [-1, 1], the image
 * resized into the dstW×dstH canvas keeping its aspect ratio and centred on white (+1.0)
 * (docs/models/wan.md §5.2). An alpha channel is ignored, as PIL's convert("RGB") drops it.
 * Resampling is PyTorch's bilinear with align_corners=False and no antialiasing (half-pixel
 * centres, edge-clamped), applied to the [-1, 1] values, with its float32 index arithmetic; the
 * blend is done in float64 (≤ 1 float32 ulp from PyTorch's).
 */
export function letterboxOntoWhite(image: RgbImage, dstW: number, dstH: number): Float32Array {
  assertImage(image, 'letterboxOntoWhite');
  const { width: srcW, height: srcH, channels: stride, data: rgb } = image;
  const place = letterboxPlacement(srcW, srcH, dstW, dstH);
  const area = dstW * dstH;
  const out = new Float32Array(3 * area).fill(1);
  const xs = linearTaps(srcW, place.width);
  const ys = linearTaps(srcH, place.height);
  for (let y = 0; y < place.height; y++) {
    const r0 = ys.i0[y]! * srcW;
    const r1 = ys.i1[y]! * srcW;
    const wy1 = ys.w1[y]!;
    const wy0 = 1 - wy1;
    const rowOut = (place.top + y) * dstW + place.left;
    for (let x = 0; x < place.width; x++) {
      const c0 = xs.i0[x]!;
      const c1 = xs.i1[x]!;
      const wx1 = xs.w1[x]!;
      const wx0 = 1 - wx1;
      for (let ch = 0; ch < 3; ch++) {
        const p00 = BYTE_TO_UNIT[rgb[(r0 + c0) * stride + ch]!]!;
        const p01 = BYTE_TO_UNIT[rgb[(r0 + c1) * stride + ch]!]!;
        const p10 = BYTE_TO_UNIT[rgb[(r1 + c0) * stride + ch]!]!;
        const p11 = BYTE_TO_UNIT[rgb[(r1 + c1) * stride + ch]!]!;
        out[ch * area + rowOut + x] = wy0 * (wx0 * p00 + wx1 * p01) + wy1 * (wx0 * p10 + wx1 * p11);
      }
    }
  }
  return out;
}

interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  /** Weight of i1 (λ); i0 gets 1 − λ. */
  w1: Float32Array;
}

/**
 * PyTorch's bilinear source taps for input size `n` → output size `m` (align_corners=False):
 * scale = n/m, src = max(scale·(d + 0.5) − 0.5, 0) in float32, i0 = ⌊src⌋, i1 = min(i0 + 1, n − 1).
 */
function linearTaps(n: number, m: number): Taps {
  const scale = Math.fround(n / m);
  const taps: Taps = { i0: new Int32Array(m), i1: new Int32Array(m), w1: new Float32Array(m) };
  for (let d = 0; d < m; d++) {
    const src = Math.max(Math.fround(Math.fround(scale * (d + 0.5)) - 0.5), 0);
    const i0 = Math.min(Math.floor(src), n - 1);
    taps.i0[d] = i0;
    taps.i1[d] = i0 < n - 1 ? i0 + 1 : i0;
    taps.w1[d] = Math.min(Math.max(src - i0, 0), 1);
  }
  return taps;
}

export interface VaceMaskOptions {
  /** Pixel frames F (4k + 1), height H and width W (multiples of 16). */
  frames: number;
  height: number;
  width: number;
  /** Reference images N: that many zero frames are prepended. */
  references: number;
  /** Channel 0 of the pixel mask, [F, H, W], 1 = generate. Absent: all ones (R2V, §5.1). */
  mask?: Float32Array;
}

/**
 * `vace_encode_masks` (docs/models/wan.md §5.4): the pixel mask [F, H, W] → 8×8 pixel-unshuffle
 * (channel dy·8 + dx holds pixel (8y + dy, 8x + dx)) → nearest-exact resize of time from F to
 * T = (F + 3)//4 → N zero frames prepended. Returns [64, N + T, H/8, W/8].
 */
export function vaceMask(options: VaceMaskOptions): Float32Array {
  const { frames: F, height: H, width: W, references: N, mask } = options;
  if (!Number.isInteger(F) || F < 1)
    throw new RangeError(`vaceMask: frames must be a positive integer (got ${F})`);
  if (!Number.isInteger(N) || N < 0)
    throw new RangeError(`vaceMask: references must be 0 or more (got ${N})`);
  for (const [name, n] of [
    ['height', H],
    ['width', W],
  ] as const) {
    if (!Number.isInteger(n) || n < 16 || n % 16 !== 0) {
      throw new RangeError(`vaceMask: ${name} must be a positive multiple of 16 (got ${n})`);
    }
  }
  if (mask && mask.length !== F * H * W) {
    throw new RangeError(
      `vaceMask: the mask should be [${F}, ${H}, ${W}] (${F * H * W} values), got ${mask.length}`,
    );
  }
  const h = H / VAE_STRIDE;
  const w = W / VAE_STRIDE;
  const T = (F + 3) >> 2;
  const frames = N + T;
  const plane = h * w;
  const out = new Float32Array(MASK_CHANNELS * frames * plane);
  // nearest-exact: source frame min(⌊(i + 0.5)·F/T⌋, F − 1), computed in float32 like PyTorch.
  const scale = Math.fround(F / T);
  for (let t = 0; t < T; t++) {
    const src = Math.min(Math.floor(Math.fround(Math.fround(t + 0.5) * scale)), F - 1);
    for (let dy = 0; dy < VAE_STRIDE; dy++) {
      for (let dx = 0; dx < VAE_STRIDE; dx++) {
        const at = ((dy * VAE_STRIDE + dx) * frames + N + t) * plane;
        if (!mask) {
          out.fill(1, at, at + plane);
          continue;
        }
        for (let y = 0; y < h; y++) {
          const row = (src * H + y * VAE_STRIDE + dy) * W + dx;
          for (let x = 0; x < w; x++) out[at + y * w + x] = mask[row + x * VAE_STRIDE]!;
        }
      }
    }
  }
  return out;
}

export interface VaceContextInput {
  /** One normalised latent [16, 1, h, w] per reference image, in the order given. */
  refLatents: readonly Float32Array[];
  /** The normalised latent [16, T, h, w] of the control video's inactive part (R2V: VAE of zeros). */
  controlLatent: Float32Array;
  /** The reactive part [16, T, h, w]; defaults to `controlLatent` (R2V: both halves are the same, §5.3). */
  reactiveLatent?: Float32Array;
  /** [64, N + T, h, w] from `vaceMask`; defaults to R2V's: zeros for the references, ones for the video. */
  mask?: Float32Array;
  T: number;
  h: number;
  w: number;
}

/**
 * The DiT's `vace_context` [96, N + T, h, w] (docs/models/wan.md §5.5): channels 0–15 inactive
 * latent, 16–31 reactive latent, 32–95 mask; on the time axis the N references first (their own
 * latent, a zero reactive half, a zero mask), then the T video frames.
 */
export function assembleVaceContext(input: VaceContextInput): Float32Array {
  const { refLatents, controlLatent, T, h, w } = input;
  const reactive = input.reactiveLatent ?? controlLatent;
  const N = refLatents.length;
  const frames = N + T;
  const plane = h * w;
  checkLatent('assembleVaceContext: controlLatent', controlLatent, T, h, w);
  checkLatent('assembleVaceContext: reactiveLatent', reactive, T, h, w);
  for (const [i, ref] of refLatents.entries())
    checkLatent(`assembleVaceContext: refLatents[${i}]`, ref, 1, h, w);
  if (input.mask && input.mask.length !== MASK_CHANNELS * frames * plane) {
    throw new RangeError(
      `assembleVaceContext: the mask should be [64, ${frames}, ${h}, ${w}] (${MASK_CHANNELS * frames * plane} values), got ${input.mask.length}`,
    );
  }
  const out = new Float32Array(VACE_CHANNELS * frames * plane);
  const video = T * plane;
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    const inactiveAt = c * frames * plane;
    for (const [i, ref] of refLatents.entries()) {
      out.set(ref.subarray(c * plane, (c + 1) * plane), inactiveAt + i * plane);
    }
    out.set(controlLatent.subarray(c * video, (c + 1) * video), inactiveAt + N * plane);
    // Reactive half: zero for the references, the reactive latent for the video.
    out.set(reactive.subarray(c * video, (c + 1) * video), ((LATENT_CHANNELS + c) * frames + N) * plane);
  }
  const maskAt = 2 * LATENT_CHANNELS * frames * plane;
  if (input.mask) {
    out.set(input.mask, maskAt);
  } else {
    for (let c = 0; c < MASK_CHANNELS; c++) {
      const at = maskAt + (c * frames + N) * plane;
      out.fill(1, at, at + video);
    }
  }
  return out;
}

/** Drops the first N (reference) latent frames: [16, N + T, h, w] → [16, T, h, w] (§5.7). */
export function dropReferenceFrames(
  latent: Float32Array,
  N: number,
  T: number,
  h: number,
  w: number,
): Float32Array {
  if (!Number.isInteger(N) || N < 0)
    throw new RangeError(`dropReferenceFrames: N must be 0 or more (got ${N})`);
  checkLatent('dropReferenceFrames', latent, N + T, h, w);
  const plane = h * w;
  const video = T * plane;
  const out = new Float32Array(LATENT_CHANNELS * video);
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    const from = (c * (N + T) + N) * plane;
    out.set(latent.subarray(from, from + video), c * video);
  }
  return out;
}
