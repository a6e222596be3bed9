// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loops are in bounds by construction
// Colour helpers: the R/B swap between our RGB and OpenCV-trained models' BGR, full-range BT.601
// YCbCr (the JPEG matrix), mean/std colour transfer (Reinhard et al. 2001, here in YCbCr) to match
// a generated face's colours to the target before blending it in, OpenCV's 8-bit Lab, and float
// CIELAB with a Reinhard transfer whose statistics can be smoothed over time (the face swap's).
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

// 8-bit CIE Lab (D65) exactly as OpenCV computes it for uint8 images (cv2.cvtColor COLOR_RGB2Lab /
// COLOR_Lab2RGB: color_lab.cpp's bit-exact integer path, RGB2Lab_b and Lab2RGBinteger, with its tables).
// L is L*·255/100, a and b are offset by 128. Float32 steps of OpenCV's softfloat table code are
// reproduced with Math.fround.
const f32 = Math.fround;
const LAB_SHIFT = 12;
const LAB_SHIFT2 = 15;
const LUT_BASE = 1 << 14;
const INV_GAMMA_SIZE = 1 << 12;
const MIN_AB = -8145;
const WHITE = [0.950456, 1, 1.088754];
const SRGB_TO_XYZ = [0.412453, 0.35758, 0.180423, 0.212671, 0.71516, 0.072169, 0.019334, 0.119193, 0.950227];
const XYZ_TO_SRGB = [
  3.240479, -1.53715, -0.498535, -0.969256, 1.875991, 0.041556, 0.055648, -0.204043, 1.057311,
];
const L_THRESH = f32(216 / 24389);
const L_SCALE = f32(841 / 108);
const L_BIAS = f32(16 / 116);

// cvRound: round half to even.
function cvRound(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
const applyGamma = (x: number) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / (1 + 0.055)) ** 2.4);
const applyInvGamma = (x: number) => (x <= 0.0031308 ? x * 12.92 : x ** (1 / 2.4) * (1 + 0.055) - 0.055);
const bits = new DataView(new ArrayBuffer(8));

// OpenCV's softfloat cbrt (Turkowski's rational approximation in double, mantissa truncated to float32),
// for a positive normal float32 x. Its coefficients, written as the doubles they are.
function softfloatCbrt(x: number): number {
  bits.setFloat32(0, x);
  const u = bits.getUint32(0);
  let ex = ((u >>> 23) & 0xff) - 127;
  let shx = ex % 3;
  shx -= shx >= 0 ? 3 : 0;
  ex = (ex - shx) / 3 - 1;
  const fr = (1 + (u & 0x7fffff) / 0x800000) * 2 ** shx;
  const num =
    (((45.2548339756803 * fr + 192.2798368355061) * fr + 119.16548242855816) * fr + 13.432501390862399) * fr +
    0.16361612265857542;
  const den =
    (((14.808840932191346 * fr + 151.97140510444356) * fr + 168.52544141015682) * fr + 33.99059413502156) *
      fr +
    1;
  bits.setFloat64(0, num / den);
  const mantissa = Number((bits.getBigUint64(0) & 0xfffffffffffffn) >> 29n);
  return (1 + mantissa / 0x800000) * 2 ** ex;
}

// f(t) of CIE Lab on float32 as OpenCV builds its table (mulAdd: a fused multiply-add, one rounding).
const labCbrt = (x: number) => (x < L_THRESH ? f32(x * L_SCALE + L_BIAS) : softfloatCbrt(x));

interface LabTables {
  gamma: Uint16Array;
  cbrt: Uint16Array;
  toXyz: Int32Array;
  yf: Int32Array;
  abToXz: Int32Array;
  invGamma: Uint8Array;
  fromXyz: Int32Array;
}
let labTables: LabTables | undefined;

function tables(): LabTables {
  if (labTables) return labTables;
  const gamma = new Uint16Array(256);
  for (let i = 0; i < 256; i++) gamma[i] = cvRound(f32(2040 * f32(applyGamma(f32(i / 255)))));
  const cbrt = new Uint16Array(256 * 12); // 256·3/2·2³
  const cbScale = f32(1 / 2040);
  for (let i = 0; i < cbrt.length; i++) cbrt[i] = cvRound(32768 * labCbrt(f32(cbScale * i)));
  const toXyz = new Int32Array(9);
  for (let i = 0; i < 9; i++)
    toXyz[i] = cvRound(((1 << LAB_SHIFT) * SRGB_TO_XYZ[i]!) / WHITE[Math.floor(i / 3)]!);
  // L → (y, f(y)) in LUT_BASE units.
  const yf = new Int32Array(512);
  for (let i = 0; i < 256; i++) {
    if (i <= 20) {
      yf[i * 2] = cvRound(f32(f32(i * LUT_BASE * 20 * 9) / (17 * 29 * 29 * 29)));
      yf[i * 2 + 1] = cvRound(f32(LUT_BASE * f32(f32(16 / 116) + f32((i * 5) / (3 * 17 * 29)))));
    } else {
      const fy = f32(f32(f32(i * 100 * LUT_BASE) / (255 * 116)) + f32((16 * LUT_BASE) / 116));
      yf[i * 2 + 1] = cvRound(fy);
      yf[i * 2] = cvRound(f32(f32(f32(fy * fy) * fy) / (LUT_BASE * LUT_BASE)));
    }
  }
  const abToXz = new Int32Array((LUT_BASE * 9) / 4);
  for (let i = MIN_AB; i < abToXz.length + MIN_AB; i++) {
    // C integer division truncates toward zero.
    abToXz[i - MIN_AB] =
      i <= 3390
        ? Math.trunc((i * 108) / 841) - 290
        : Math.trunc((Math.trunc((i * i) / LUT_BASE) * i) / LUT_BASE);
  }
  const invGamma = new Uint8Array(INV_GAMMA_SIZE);
  const invScale = f32(1 / INV_GAMMA_SIZE);
  for (let i = 0; i < INV_GAMMA_SIZE; i++)
    invGamma[i] = cvRound(f32(255 * f32(applyInvGamma(f32(invScale * i)))));
  const fromXyz = new Int32Array(9);
  for (let i = 0; i < 9; i++) fromXyz[i] = cvRound((1 << LAB_SHIFT) * XYZ_TO_SRGB[i]! * WHITE[i % 3]!);
  labTables = { gamma, cbrt, toXyz, yf, abToXz, invGamma, fromXyz };
  return labTables;
}

const sat8 = (v: number) => Math.min(255, Math.max(0, v));
const L_SCALE8 = 296; // (116·255 + 50)/100
const L_SHIFT8 = -1336934; // −(16·255·2¹⁵ + 50)/100

/**
 * RGB → interleaved 8-bit L, a, b, bit for bit as cv2.cvtColor(img, COLOR_RGB2Lab) on uint8 (L* scaled
 * to 0..255, a* and b* offset by 128). Alpha is ignored.
 */
export function rgbToLab8(img: RgbImage): Uint8Array {
  assertImage(img);
  const { gamma, cbrt, toXyz: c } = tables();
  const n = img.width * img.height;
  const s = img.data;
  const ch = img.channels;
  const lab = new Uint8Array(n * 3);
  const half = 1 << (LAB_SHIFT - 1);
  const half2 = 1 << (LAB_SHIFT2 - 1);
  for (let p = 0, i = 0, o = 0; p < n; p++, i += ch, o += 3) {
    const r = gamma[s[i]!]!;
    const g = gamma[s[i + 1]!]!;
    const b = gamma[s[i + 2]!]!;
    const fx = cbrt[(r * c[0]! + g * c[1]! + b * c[2]! + half) >> LAB_SHIFT]!;
    const fy = cbrt[(r * c[3]! + g * c[4]! + b * c[5]! + half) >> LAB_SHIFT]!;
    const fz = cbrt[(r * c[6]! + g * c[7]! + b * c[8]! + half) >> LAB_SHIFT]!;
    lab[o] = sat8((L_SCALE8 * fy + L_SHIFT8 + half2) >> LAB_SHIFT2);
    lab[o + 1] = sat8((500 * (fx - fy) + 128 * (1 << LAB_SHIFT2) + half2) >> LAB_SHIFT2);
    lab[o + 2] = sat8((200 * (fy - fz) + 128 * (1 << LAB_SHIFT2) + half2) >> LAB_SHIFT2);
  }
  return lab;
}

/**
 * The L plane of {@link rgbToLab8} alone (a third of the work). With `order` 'bgr' the channels are
 * read as B, G, R: cv2's COLOR_BGR2Lab, or COLOR_RGB2Lab given an RGB image labelled BGR.
 */
export function lab8Lightness(img: RgbImage, order: 'rgb' | 'bgr' = 'rgb'): Uint8Array {
  assertImage(img);
  const { gamma, cbrt, toXyz } = tables();
  const n = img.width * img.height;
  const s = img.data;
  const ch = img.channels;
  const [cr, cg, cb] =
    order === 'rgb' ? [toXyz[3]!, toXyz[4]!, toXyz[5]!] : [toXyz[5]!, toXyz[4]!, toXyz[3]!];
  const half = 1 << (LAB_SHIFT - 1);
  const lightness = new Uint8Array(n);
  for (let p = 0, i = 0; p < n; p++, i += ch) {
    const fy =
      cbrt[(gamma[s[i]!]! * cr + gamma[s[i + 1]!]! * cg + gamma[s[i + 2]!]! * cb + half) >> LAB_SHIFT]!;
    lightness[p] = sat8((L_SCALE8 * fy + L_SHIFT8 + (1 << (LAB_SHIFT2 - 1))) >> LAB_SHIFT2);
  }
  return lightness;
}

/** Interleaved 8-bit L, a, b → RGB, bit for bit as cv2.cvtColor(lab, COLOR_Lab2RGB) on uint8. */
export function lab8ToRgb(lab: Uint8Array, width: number, height: number): RgbImage {
  const n = width * height;
  if (lab.length !== n * 3)
    throw new RangeError(`lab8ToRgb: ${width}×${height} needs ${n * 3} values (got ${lab.length})`);
  const { yf, abToXz, invGamma, fromXyz: c } = tables();
  const shift = 14; // lab_shift + (base_shift − inv_gamma_shift)
  const half = 1 << (shift - 1);
  const top = INV_GAMMA_SIZE - 1;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i += 3) {
    const l = lab[i]!;
    const y = yf[l * 2]!;
    const ify = yf[l * 2 + 1]!;
    const adiv = ((5 * lab[i + 1]! * 53687 + (1 << 7)) >> 13) - 4194; // a·BASE/500 − 128·BASE/500
    const bdiv = ((lab[i + 2]! * 41943 + (1 << 4)) >> 9) - 10485 + 1; // b·BASE/200 − 128·BASE/200 + 1
    const x = abToXz[ify + adiv - MIN_AB]!;
    const z = abToXz[ify - bdiv - MIN_AB]!;
    for (let k = 0; k < 3; k++) {
      const v = (c[k * 3]! * x + c[k * 3 + 1]! * y + c[k * 3 + 2]! * z + half) >> shift;
      data[i + k] = invGamma[Math.min(top, Math.max(0, v))]!;
    }
  }
  return { width, height, channels: 3, data };
}

// Float CIELAB (D65) with the standard sRGB companding (IEC 61966-2-1) and the CIE constants
// ε = 216/24389, κ = 24389/27; matrix and white from Bruce Lindbloom's tables (docs/models/face.md
// §5.4). Unlike the 8-bit OpenCV Lab above, L* is 0..100 and a*, b* are signed: for colour statistics.
const LAB_EPSILON = 216 / 24389;
const LAB_KAPPA = 24389 / 27;
/** D65 reference white (Lindbloom): X, Y, Z. */
const D65 = [0.95047, 1, 1.08883] as const;
/** Linear sRGB → XYZ (D65), Lindbloom's sRGB matrix. */
const SRGB_XYZ = [
  0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041,
] as const;

function invert3(m: readonly number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const A = e * i - f * h;
  const B = f * g - d * i;
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    C / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
}

// XYZ/white from linear RGB (rows pre-divided by the white), and linear RGB from XYZ/white.
const RGB_TO_XYZN = SRGB_XYZ.map((v, k) => v / D65[Math.floor(k / 3)]!);
const XYZN_TO_RGB = invert3(RGB_TO_XYZN);

/** sRGB companding undone: 8-bit value → linear 0..1. */
const SRGB8_TO_LINEAR = (() => {
  const lut = new Float64Array(256);
  for (let v = 0; v < 256; v++) {
    const c = v / 255;
    lut[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return lut;
})();

/**
 * The linear values halfway (in companded sRGB) between consecutive 8-bit codes: code k + 1 begins
 * at LINEAR_MIDPOINTS[k], so a binary search rounds a linear value to the nearest 8-bit code exactly
 * as companding, ×255 and rounding would, without a pow per channel.
 */
const LINEAR_MIDPOINTS = (() => {
  const mids = new Float64Array(255);
  for (let k = 0; k < 255; k++) {
    const c = (k + 0.5) / 255;
    mids[k] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }
  return mids;
})();

function linearToSrgb8(v: number): number {
  let lo = 0;
  let hi = 255;
  // The first code whose upper midpoint is ≥ v (ties go to the lower code).
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (LINEAR_MIDPOINTS[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const labF = (t: number) => (t > LAB_EPSILON ? Math.cbrt(t) : (LAB_KAPPA * t + 16) / 116);
const labFInverse = (f: number) => {
  const f3 = f * f * f;
  return f3 > LAB_EPSILON ? f3 : (116 * f - 16) / LAB_KAPPA;
};

// One 8-bit RGB pixel → L*, a*, b* into out[o..o+2].
function pixelToLab(r: number, g: number, b: number, out: Float64Array | Float32Array, o: number): void {
  const lr = SRGB8_TO_LINEAR[r]!;
  const lg = SRGB8_TO_LINEAR[g]!;
  const lb = SRGB8_TO_LINEAR[b]!;
  const m = RGB_TO_XYZN;
  const fx = labF(m[0]! * lr + m[1]! * lg + m[2]! * lb);
  const fy = labF(m[3]! * lr + m[4]! * lg + m[5]! * lb);
  const fz = labF(m[6]! * lr + m[7]! * lg + m[8]! * lb);
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}

// L*, a*, b* → 8-bit R, G, B (rounded, clamped) into d[i..i+2].
function labToPixel(l: number, a: number, bb: number, d: Uint8Array, i: number): void {
  const fy = (l + 16) / 116;
  const x = labFInverse(fy + a / 500);
  // Y from L* directly below κε (= 8), as the CIE inverse defines it.
  const y = l > LAB_KAPPA * LAB_EPSILON ? fy * fy * fy : l / LAB_KAPPA;
  const z = labFInverse(fy - bb / 200);
  const m = XYZN_TO_RGB;
  d[i] = linearToSrgb8(m[0]! * x + m[1]! * y + m[2]! * z);
  d[i + 1] = linearToSrgb8(m[3]! * x + m[4]! * y + m[5]! * z);
  d[i + 2] = linearToSrgb8(m[6]! * x + m[7]! * y + m[8]! * z);
}

/** sRGB (8-bit, D65) → interleaved float L* (0..100), a*, b*. Alpha is ignored. */
export function rgbToLab(img: RgbImage): Float32Array {
  assertImage(img, 'rgbToLab');
  const n = img.width * img.height;
  const s = img.data;
  const ch = img.channels;
  const out = new Float32Array(n * 3);
  for (let p = 0, i = 0; p < n; p++, i += ch) pixelToLab(s[i]!, s[i + 1]!, s[i + 2]!, out, p * 3);
  return out;
}

/** Interleaved L*, a*, b* → 3-channel sRGB, rounded to the nearest code and clamped to 0..255. */
export function labToRgb(lab: Float32Array, width: number, height: number): RgbImage {
  const n = width * height;
  if (lab.length !== n * 3)
    throw new RangeError(`labToRgb: ${width}×${height} needs ${n * 3} values (got ${lab.length})`);
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n * 3; i += 3) labToPixel(lab[i]!, lab[i + 1]!, lab[i + 2]!, data, i);
  return { width, height, channels: 3, data };
}

/** Per-channel CIELAB statistics of an image region: L*, a*, b* means and standard deviations. */
export interface LabStats {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/**
 * Mask-weighted mean and (population) standard deviation of L*, a*, b*. `mask` (one weight 0..1 per
 * pixel) selects the region; pixels of weight ≤ 0 do not count. Throws when it selects nothing.
 */
export function labStats(img: RgbImage, mask?: Float32Array): LabStats {
  assertImage(img, 'labStats');
  const n = img.width * img.height;
  if (mask && mask.length !== n) {
    throw new RangeError(`labStats: mask has ${mask.length} values, the image has ${n} pixels`);
  }
  const s = img.data;
  const ch = img.channels;
  const lab = new Float64Array(3);
  const sum = new Float64Array(3);
  const sq = new Float64Array(3);
  let total = 0;
  for (let p = 0, i = 0; p < n; p++, i += ch) {
    const w = mask ? mask[p]! : 1;
    if (!(w > 0)) continue;
    pixelToLab(s[i]!, s[i + 1]!, s[i + 2]!, lab, 0);
    total += w;
    for (let c = 0; c < 3; c++) {
      sum[c] = sum[c]! + w * lab[c]!;
      sq[c] = sq[c]! + w * lab[c]! * lab[c]!;
    }
  }
  if (!(total > 0)) throw new RangeError('labStats: the mask selects no pixels');
  const mean = [0, 1, 2].map((c) => sum[c]! / total) as [number, number, number];
  const std = [0, 1, 2].map((c) => Math.sqrt(Math.max(0, sq[c]! / total - mean[c]! ** 2))) as [
    number,
    number,
    number,
  ];
  return { mean, std };
}

/**
 * Reinhard et al.'s colour transfer (IEEE CG&A 2001) in CIELAB: every pixel of `img`, per channel,
 * v' = (v − μ_from)·σ_to/σ_from + μ_to, back to sRGB (rounded, clamped). A flat `from` channel
 * (σ < 1e-6) is only shifted. With `from` = labStats(img, region) the region ends with `to`'s
 * statistics; the statistics are arguments so a video can smooth them first. Alpha is kept.
 */
export function applyLabTransfer(img: RgbImage, from: LabStats, to: LabStats): RgbImage {
  assertImage(img, 'applyLabTransfer');
  const k = [0, 1, 2].map((c) => (from.std[c]! > 1e-6 ? to.std[c]! / from.std[c]! : 1));
  for (const v of [...from.mean, ...from.std, ...to.mean, ...to.std, ...k]) {
    if (!Number.isFinite(v)) throw new RangeError('applyLabTransfer: statistics must be finite numbers');
  }
  // v' = v·k + (μ_to − μ_from·k)
  const [k0, k1, k2] = k as [number, number, number];
  const c0 = to.mean[0] - from.mean[0] * k0;
  const c1 = to.mean[1] - from.mean[1] * k1;
  const c2 = to.mean[2] - from.mean[2] * k2;
  const s = img.data;
  const ch = img.channels;
  const out: RgbImage = { ...img, data: new Uint8Array(s.length) };
  const d = out.data;
  const lab = new Float64Array(3);
  for (let i = 0; i < s.length; i += ch) {
    pixelToLab(s[i]!, s[i + 1]!, s[i + 2]!, lab, 0);
    labToPixel(lab[0]! * k0 + c0, lab[1]! * k1 + c1, lab[2]! * k2 + c2, d, i);
    if (ch === 4) d[i + 3] = s[i + 3]!;
  }
  return out;
}
