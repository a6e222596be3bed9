// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loop are in bounds by construction
// Paste-back for a crop whose place and mask never change: LivePortrait pastes every rendered face into
// the same portrait at the same spot. Where each frame pixel samples the crop, its bilinear fractions and
// its mask value are worked out once; a frame then costs four weighted reads and a blend per pixel. The
// crop is taken as the network's float planes (CHW), so it is never rounded to 8 bits before sampling.
import { MASK_SLACK, pasteRegion, type Rect } from './blend.ts';
import type { RgbImage } from './image.ts';
import { type Affine, invertAffine } from './transform.ts';

/** Bilinear mask value at (sx, sy), 0 outside the mask, as pasteBack samples it. */
function maskAt(mask: Float32Array, width: number, height: number, sx: number, sy: number): number {
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const at = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < width && y < height ? mask[y * width + x]! : 0;
  return (
    at(x0, y0) * (1 - fx) * (1 - fy) +
    at(x0 + 1, y0) * fx * (1 - fy) +
    at(x0, y0 + 1) * (1 - fx) * fy +
    at(x0 + 1, y0 + 1) * fx * fy
  );
}

/** A sample coordinate clamped so its two taps stay inside 0..size−1 (edge replication, as pasteBack). */
function clampTap(s: number, size: number): [base: number, fraction: number] {
  if (s <= 0) return [0, 0];
  if (s >= size - 1) return [size - 2, 1];
  const base = Math.floor(s);
  return [base, s - base];
}

export class FixedPaste {
  /** The frame rectangle the crop can reach. */
  readonly region: Rect;
  readonly #frame: { width: number; height: number; channels: number };
  readonly #crop: { width: number; height: number };
  /** Per pasted pixel: its frame pixel index, the crop pixel of its top-left tap, fractions, mask. */
  readonly #pixel: Int32Array;
  readonly #tap: Int32Array;
  readonly #fx: Float32Array;
  readonly #fy: Float32Array;
  readonly #alpha: Float32Array;

  /**
   * `cropToFrame` maps crop pixels to frame pixels; `mask` is crop.width×crop.height in 0..1 (0 outside),
   * sampled as pasteBack does. Frame pixels whose mask weight is 0 are never touched.
   */
  constructor(
    frame: { width: number; height: number; channels: number },
    crop: { width: number; height: number },
    cropToFrame: Affine,
    mask: Float32Array,
  ) {
    if (crop.width < 2 || crop.height < 2) throw new RangeError('FixedPaste: the crop must be at least 2×2');
    if (mask.length !== crop.width * crop.height) {
      throw new RangeError(
        `FixedPaste: mask has ${mask.length} values, the ${crop.width}×${crop.height} crop needs ${crop.width * crop.height}`,
      );
    }
    this.#frame = { width: frame.width, height: frame.height, channels: frame.channels };
    this.#crop = { width: crop.width, height: crop.height };
    this.region = pasteRegion(frame, crop, cropToFrame);
    const inv = invertAffine(cropToFrame);
    const capacity = this.region.width * this.region.height;
    const pixel = new Int32Array(capacity);
    const tap = new Int32Array(capacity);
    const fxs = new Float32Array(capacity);
    const fys = new Float32Array(capacity);
    const alpha = new Float32Array(capacity);
    let n = 0;
    for (let y = this.region.y; y < this.region.y + this.region.height; y++) {
      for (let x = this.region.x; x < this.region.x + this.region.width; x++) {
        const sx = inv[0]! * x + inv[1]! * y + inv[2]!;
        const sy = inv[3]! * x + inv[4]! * y + inv[5]!;
        const a = maskAt(mask, crop.width, crop.height, sx, sy);
        if (!(a >= -MASK_SLACK && a <= 1 + MASK_SLACK)) {
          throw new RangeError(`FixedPaste: mask at frame pixel (${x}, ${y}) is ${a}, outside 0..1`);
        }
        if (!(a > 0)) continue;
        const [bx, fx] = clampTap(sx, crop.width);
        const [by, fy] = clampTap(sy, crop.height);
        pixel[n] = y * frame.width + x;
        tap[n] = by * crop.width + bx;
        fxs[n] = fx;
        fys[n] = fy;
        alpha[n] = Math.min(1, a);
        n++;
      }
    }
    this.#pixel = pixel.subarray(0, n);
    this.#tap = tap.subarray(0, n);
    this.#fx = fxs.subarray(0, n);
    this.#fy = fys.subarray(0, n);
    this.#alpha = alpha.subarray(0, n);
  }

  /** How many frame pixels each paste writes. */
  get pixels(): number {
    return this.#pixel.length;
  }

  /**
   * Blends the crop, given as CHW float planes where `scale`·value is 0..255 (W+G's 0..1 output: 255),
   * into `frame` in place. Values past the range are clamped; NaN throws.
   */
  apply(frame: RgbImage, planes: Float32Array, scale = 255): void {
    const { width, height, channels } = this.#frame;
    if (frame.width !== width || frame.height !== height || frame.channels !== channels) {
      throw new RangeError(
        `FixedPaste: made for a ${width}×${height}×${channels} frame, got ${frame.width}×${frame.height}×${frame.channels}`,
      );
    }
    const cw = this.#crop.width;
    const plane = cw * this.#crop.height;
    if (planes.length !== 3 * plane) {
      throw new RangeError(`FixedPaste: ${3 * plane} crop values expected, got ${planes.length}`);
    }
    const f = frame.data;
    const pixel = this.#pixel;
    const tap = this.#tap;
    const fxs = this.#fx;
    const fys = this.#fy;
    const alpha = this.#alpha;
    for (let i = 0; i < pixel.length; i++) {
      const fx = fxs[i]!;
      const fy = fys[i]!;
      const w11 = fx * fy;
      const w10 = fx - w11;
      const w01 = fy - w11;
      const w00 = 1 - fx - fy + w11;
      const a = alpha[i]!;
      const o = pixel[i]! * channels;
      for (let c = 0, t = tap[i]!; c < 3; c++, t += plane) {
        let v =
          (planes[t]! * w00 + planes[t + 1]! * w10 + planes[t + cw]! * w01 + planes[t + cw + 1]! * w11) *
          scale;
        if (!(v >= 0)) {
          if (Number.isNaN(v))
            throw new RangeError(`FixedPaste: the crop holds NaN near crop pixel ${tap[i]}`);
          v = 0;
        } else if (v > 255) v = 255;
        const b = f[o + c]!;
        f[o + c] = (b + a * (v - b) + 0.5) | 0;
      }
    }
  }
}
