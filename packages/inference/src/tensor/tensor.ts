// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loops are in bounds by construction
// Image ↔ float tensor layout conversions with per-channel normalisation, v = (x·scale − mean) / std.
// Models take NCHW (ArcFace, inswapper, GFPGAN, LivePortrait) or NHWC (BlazeFace) float32 input.
import { assertImage, type RgbImage } from '../image/image.ts';

type PerChannel = number | readonly [number, number, number];

export interface Normalization {
  /** Applied first: x·scale. Default 1. */
  scale?: number;
  /** Subtracted after scaling, one value or one per channel (in the output channel order). Default 0. */
  mean?: PerChannel;
  /** Divides after subtracting the mean. Default 1. */
  std?: PerChannel;
}

/** The normalisations of the pipelines' models (docs/models/face.md §1.4, docs/models/liveportrait.md §2.2). */
export const NORMALIZE = {
  /** ArcFace w600k_r50: (x − 127.5)/127.5 → [−1, 1]. */
  arcface: { mean: 127.5, std: 127.5 },
  /** SCRFD / RetinaFace: (x − 127.5)/128. */
  scrfd: { mean: 127.5, std: 128 },
  /** inswapper_128, LivePortrait, landmark.onnx: x/255 → [0, 1]. */
  unit: { scale: 1 / 255 },
  /** GFPGAN / CodeFormer, HyperSwap, BlazeFace: (x/255 − 0.5)/0.5 → [−1, 1]. */
  symmetric: { scale: 1 / 255, mean: 0.5, std: 0.5 },
} as const satisfies Record<string, Normalization>;

export interface TensorOptions extends Normalization {
  /** Channel order of the tensor; 'bgr' for models trained on OpenCV frames. Default 'rgb'. */
  channelOrder?: 'rgb' | 'bgr';
  /** Reuse this buffer (length 3·width·height). */
  out?: Float32Array;
}

function channel(v: PerChannel | undefined, c: number, fallback: number): number {
  if (v === undefined) return fallback;
  return typeof v === 'number' ? v : v[c]!;
}

// v = x·a[c] + b[c] with a = scale/std, b = −mean/std, for tensor channels 0..2.
function affineCoefficients(options: Normalization, what: string): Float64Array {
  const scale = options.scale ?? 1;
  const k = new Float64Array(6);
  for (let c = 0; c < 3; c++) {
    const mean = channel(options.mean, c, 0);
    const std = channel(options.std, c, 1);
    if (
      !Number.isFinite(scale) ||
      scale === 0 ||
      !Number.isFinite(mean) ||
      !Number.isFinite(std) ||
      std === 0
    ) {
      throw new RangeError(`${what}: scale and std must be finite and non-zero, mean finite`);
    }
    k[c] = scale / std;
    k[c + 3] = -mean / std;
  }
  return k;
}

function outBuffer(out: Float32Array | undefined, n: number, what: string): Float32Array {
  if (!out) return new Float32Array(n);
  if (out.length !== n) throw new RangeError(`${what}: out has ${out.length} values, expected ${n}`);
  return out;
}

/** Image → [1, 3, H, W] float32 (planar). Alpha is ignored. */
export function toCHW(img: RgbImage, options: TensorOptions = {}): Float32Array {
  assertImage(img, 'toCHW');
  const plane = img.width * img.height;
  const out = outBuffer(options.out, 3 * plane, 'toCHW');
  const k = affineCoefficients(options, 'toCHW');
  const s = img.data;
  const ch = img.channels;
  const bgr = options.channelOrder === 'bgr';
  // Source channel feeding tensor channel 0 and 2.
  const src0 = bgr ? 2 : 0;
  const src2 = bgr ? 0 : 2;
  const a0 = k[0]!;
  const a1 = k[1]!;
  const a2 = k[2]!;
  const b0 = k[3]!;
  const b1 = k[4]!;
  const b2 = k[5]!;
  for (let p = 0, i = 0; p < plane; p++, i += ch) {
    out[p] = s[i + src0]! * a0 + b0;
    out[plane + p] = s[i + 1]! * a1 + b1;
    out[2 * plane + p] = s[i + src2]! * a2 + b2;
  }
  return out;
}

/** Image → [1, H, W, 3] float32 (interleaved), e.g. BlazeFace's input. Alpha is ignored. */
export function toHWCFloat(img: RgbImage, options: TensorOptions = {}): Float32Array {
  assertImage(img, 'toHWCFloat');
  const n = img.width * img.height;
  const out = outBuffer(options.out, 3 * n, 'toHWCFloat');
  const k = affineCoefficients(options, 'toHWCFloat');
  const s = img.data;
  const ch = img.channels;
  const bgr = options.channelOrder === 'bgr';
  const src0 = bgr ? 2 : 0;
  const src2 = bgr ? 0 : 2;
  const a0 = k[0]!;
  const a1 = k[1]!;
  const a2 = k[2]!;
  const b0 = k[3]!;
  const b1 = k[4]!;
  const b2 = k[5]!;
  for (let p = 0, i = 0, o = 0; p < n; p++, i += ch, o += 3) {
    out[o] = s[i + src0]! * a0 + b0;
    out[o + 1] = s[i + 1]! * a1 + b1;
    out[o + 2] = s[i + src2]! * a2 + b2;
  }
  return out;
}

export interface FromCHWOptions extends Normalization {
  /** Channel order of the tensor. Default 'rgb'. */
  channelOrder?: 'rgb' | 'bgr';
  /**
   * true (default): values past 0..255 after de-normalising are clipped (model outputs overshoot).
   * false: such a value throws. NaN always throws.
   */
  clamp?: boolean;
  /** Reuse this 3-channel width×height image. */
  out?: RgbImage;
}

/** [1, 3, H, W] float32 → 3-channel image: x = (v·std + mean)/scale, rounded. */
export function fromCHW(
  tensor: Float32Array,
  width: number,
  height: number,
  options: FromCHWOptions = {},
): RgbImage {
  const plane = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`fromCHW: size must be positive integers (got ${width}×${height})`);
  }
  if (tensor.length !== 3 * plane) {
    throw new RangeError(
      `fromCHW: a [1,3,${height},${width}] tensor has ${3 * plane} values, got ${tensor.length}`,
    );
  }
  const out = options.out ?? { width, height, channels: 3, data: new Uint8Array(3 * plane) };
  assertImage(out, 'fromCHW out');
  if (out.width !== width || out.height !== height || out.channels !== 3) {
    throw new RangeError(`fromCHW: out must be ${width}×${height}×3`);
  }
  // Inverse of v = x·a + b: x = (v − b)/a.
  const k = affineCoefficients(options, 'fromCHW');
  const clamp = options.clamp ?? true;
  const d = out.data;
  const bgr = options.channelOrder === 'bgr';
  for (let c = 0; c < 3; c++) {
    const ia = 1 / k[c]!;
    const b = k[c + 3]!;
    const dc = bgr ? 2 - c : c;
    const base = c * plane;
    for (let p = 0, o = dc; p < plane; p++, o += 3) {
      const t = tensor[base + p]!;
      const x = (t - b) * ia;
      if (x >= -0.5 && x < 255.5) {
        d[o] = (x + 0.5) | 0;
      } else if (clamp && !Number.isNaN(x)) {
        d[o] = x < 0 ? 0 : 255;
      } else {
        throw new RangeError(
          `fromCHW: tensor value ${t} (channel ${c}, pixel ${p}) maps to ${x}, outside 0..255`,
        );
      }
    }
  }
  return out;
}
