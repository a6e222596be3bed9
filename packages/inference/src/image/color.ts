// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loops are in bounds by construction
// Colour helpers: the R/B swap between our RGB and OpenCV-trained models' BGR, full-range BT.601
// YCbCr (the JPEG matrix), and mean/std colour transfer (Reinhard et al. 2001, here in YCbCr) to match
// a generated face's colours to the target before blending it in.
import { assertImage, type RgbImage } from './image.ts';

/** Swaps channels 0 and 2 (RGB ↔ BGR); alpha is kept. `out` may be `img` itself for in place. */
export function swapRB(img: RgbImage, out?: RgbImage): RgbImage {
  assertImage(img);
  const dst = out ?? { ...img, data: new Uint8Array(img.data.length) };
  if (dst.width !== img.width || dst.height !== img.height || dst.channels !== img.channels) {
    throw new RangeError('swapRB: out must have the same size and channels as the input');
  }
  const s = img.data;
  const d = dst.data;
  const ch = img.channels;
  for (let i = 0; i < s.length; i += ch) {
    const r = s[i]!;
    d[i] = s[i + 2]!;
    d[i + 1] = s[i + 1]!;
    d[i + 2] = r;
    if (ch === 4) d[i + 3] = s[i + 3]!;
  }
  return dst;
}

/** RGB → interleaved float Y, Cb, Cr (JPEG/JFIF full range: Y 0..255, Cb/Cr centred on 128). */
export function rgbToYCbCr(img: RgbImage): Float32Array {
  assertImage(img);
  const n = img.width * img.height;
  const s = img.data;
  const ch = img.channels;
  const out = new Float32Array(n * 3);
  for (let p = 0, i = 0, o = 0; p < n; p++, i += ch, o += 3) {
    const r = s[i]!;
    const g = s[i + 1]!;
    const b = s[i + 2]!;
    out[o] = 0.299 * r + 0.587 * g + 0.114 * b;
    out[o + 1] = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    out[o + 2] = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  return out;
}

/** Interleaved Y, Cb, Cr → 3-channel RGB, rounded and clamped to 0..255. */
export function yCbCrToRgb(ycc: Float32Array, width: number, height: number): RgbImage {
  const n = width * height;
  if (ycc.length !== n * 3)
    throw new RangeError(`yCbCrToRgb: ${width}×${height} needs ${n * 3} values (got ${ycc.length})`);
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i += 3) {
    const y = ycc[i]!;
    const cb = ycc[i + 1]! - 128;
    const cr = ycc[i + 2]! - 128;
    data[i] = clamp255(y + 1.402 * cr);
    data[i + 1] = clamp255(y - 0.344136 * cb - 0.714136 * cr);
    data[i + 2] = clamp255(y + 1.772 * cb);
  }
  return { width, height, channels: 3, data };
}

function clamp255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

// Weighted mean and standard deviation of Y, Cb, Cr, written into stats[0..5] = μY μCb μCr σY σCb σCr.
function yccStats(img: RgbImage, weights: Float32Array | undefined, stats: Float64Array): void {
  const s = img.data;
  const ch = img.channels;
  const n = img.width * img.height;
  let sw = 0;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  for (let p = 0, i = 0; p < n; p++, i += ch) {
    const w = weights ? weights[p]! : 1;
    if (w <= 0) continue;
    const r = s[i]!;
    const g = s[i + 1]!;
    const b = s[i + 2]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    sw += w;
    s0 += w * y;
    s1 += w * cb;
    s2 += w * cr;
    q0 += w * y * y;
    q1 += w * cb * cb;
    q2 += w * cr * cr;
  }
  if (!(sw > 0)) throw new RangeError('colorTransfer: the mask selects no pixels');
  const m0 = s0 / sw;
  const m1 = s1 / sw;
  const m2 = s2 / sw;
  stats[0] = m0;
  stats[1] = m1;
  stats[2] = m2;
  stats[3] = Math.sqrt(Math.max(0, q0 / sw - m0 * m0));
  stats[4] = Math.sqrt(Math.max(0, q1 / sw - m1 * m1));
  stats[5] = Math.sqrt(Math.max(0, q2 / sw - m2 * m2));
}

export interface ColorTransferOptions {
  /** Weights (0..1, one per pixel of `src`) selecting the pixels whose statistics are measured, e.g. the face mask. */
  srcMask?: Float32Array;
  /** The same for `reference`. */
  referenceMask?: Float32Array;
}

/**
 * Returns `src` with each YCbCr channel shifted and scaled so its (masked) mean and standard deviation
 * equal those of `reference`: v' = (v − μsrc)·σref/σsrc + μref. A flat source channel (σ < 1e-6) is
 * only shifted. Alpha is kept.
 */
export function colorTransfer(
  src: RgbImage,
  reference: RgbImage,
  options: ColorTransferOptions = {},
): RgbImage {
  assertImage(src, 'colorTransfer src');
  assertImage(reference, 'colorTransfer reference');
  const { srcMask, referenceMask } = options;
  if (srcMask && srcMask.length !== src.width * src.height) {
    throw new RangeError(
      `colorTransfer: srcMask has ${srcMask.length} values, src has ${src.width * src.height} pixels`,
    );
  }
  if (referenceMask && referenceMask.length !== reference.width * reference.height) {
    throw new RangeError(
      `colorTransfer: referenceMask has ${referenceMask.length} values, reference has ${reference.width * reference.height} pixels`,
    );
  }
  const a = new Float64Array(6);
  const b = new Float64Array(6);
  yccStats(src, srcMask, a);
  yccStats(reference, referenceMask, b);
  const k0 = a[3]! > 1e-6 ? b[3]! / a[3]! : 1;
  const k1 = a[4]! > 1e-6 ? b[4]! / a[4]! : 1;
  const k2 = a[5]! > 1e-6 ? b[5]! / a[5]! : 1;
  // v' = v·k + (μref − μsrc·k); Cb/Cr keep their 128 offset removed for the inverse matrix.
  const c0 = b[0]! - a[0]! * k0;
  const c1 = b[1]! - a[1]! * k1 - 128;
  const c2 = b[2]! - a[2]! * k2 - 128;
  const s = src.data;
  const ch = src.channels;
  const out: RgbImage = { ...src, data: new Uint8Array(s.length) };
  const d = out.data;
  for (let i = 0; i < s.length; i += ch) {
    const r = s[i]!;
    const g = s[i + 1]!;
    const bl = s[i + 2]!;
    const y = (0.299 * r + 0.587 * g + 0.114 * bl) * k0 + c0;
    const cb = (128 - 0.168736 * r - 0.331264 * g + 0.5 * bl) * k1 + c1;
    const cr = (128 + 0.5 * r - 0.418688 * g - 0.081312 * bl) * k2 + c2;
    d[i] = clamp255(y + 1.402 * cr);
    d[i + 1] = clamp255(y - 0.344136 * cb - 0.714136 * cr);
    d[i + 2] = clamp255(y + 1.772 * cb);
    if (ch === 4) d[i + 3] = s[i + 3]!;
  }
  return out;
}
