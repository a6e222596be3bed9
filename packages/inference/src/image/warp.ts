// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loop are in bounds by construction
// Affine warp with bilinear sampling, cv2.warpAffine's conventions: pixel centres at integer
// coordinates, `m` maps source → destination and each destination pixel samples M⁻¹·(x, y).
import { assertImage, type RgbImage } from './image.ts';
import { type Affine, invertAffine } from './transform.ts';
import { assertPicture, isYuv, type Picture } from './yuv.ts';
import { warpAffineYuv } from './yuv-sample.ts';

export interface WarpOptions {
  /** 'constant' (default): outside pixels are `fill`; 'replicate': the nearest edge pixel (no dark fringe). */
  border?: 'constant' | 'replicate';
  /** Value of every channel outside the source with border 'constant', 0–255. Default 0. */
  fill?: number;
  /** Reuse this image's buffer: it must be width×height with the source's channel count. */
  out?: RgbImage;
}

/** From a yuv420p frame the result is RGB, each pixel converted where it is sampled (yuv-sample.ts). */
export function warpAffine(
  src: Picture,
  m: Affine,
  width: number,
  height: number,
  options: WarpOptions = {},
): RgbImage {
  assertPicture(src, 'warpAffine source');
  const fill = options.fill ?? 0;
  if (!(fill >= 0 && fill <= 255)) throw new RangeError(`warpAffine: fill must be 0–255 (got ${fill})`);
  const ch = isYuv(src) ? 3 : src.channels;
  const out = options.out ?? { width, height, channels: ch, data: new Uint8Array(width * height * ch) };
  assertImage(out, 'warpAffine out');
  if (out.width !== width || out.height !== height || out.channels !== ch) {
    throw new RangeError(
      `warpAffine: out is ${out.width}×${out.height}×${out.channels}, expected ${width}×${height}×${ch}`,
    );
  }
  if (isYuv(src)) return warpAffineYuv(src, m, out, options);
  const inv = invertAffine(m);
  const replicate = options.border === 'replicate';
  if (inv[1] === 0 && inv[3] === 0 && ch === 3) {
    warpAxisAligned(src, inv, out, replicate, fill);
    return out;
  }
  const s = src.data;
  const d = out.data;
  const w = src.width;
  const h = src.height;
  const stride = w * ch;
  const ia = inv[0]!;
  const ib = inv[1]!;
  const itx = inv[2]!;
  const ic = inv[3]!;
  const id = inv[4]!;
  const ity = inv[5]!;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const rowX = ib * y + itx;
    const rowY = id * y + ity;
    for (let x = 0; x < width; x++, o += ch) {
      const sx = ia * x + rowX;
      const sy = ic * x + rowY;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1) {
        // Fast path: all four neighbours inside.
        const fx = sx - x0;
        const fy = sy - y0;
        const w11 = fx * fy;
        const w10 = fx - w11;
        const w01 = fy - w11;
        const w00 = 1 - fx - fy + w11;
        const i00 = (y0 * w + x0) * ch;
        const i01 = i00 + stride;
        if (ch === 3) {
          // Unrolled for RGB, the common case.
          d[o] = (s[i00]! * w00 + s[i00 + 3]! * w10 + s[i01]! * w01 + s[i01 + 3]! * w11 + 0.5) | 0;
          d[o + 1] =
            (s[i00 + 1]! * w00 + s[i00 + 4]! * w10 + s[i01 + 1]! * w01 + s[i01 + 4]! * w11 + 0.5) | 0;
          d[o + 2] =
            (s[i00 + 2]! * w00 + s[i00 + 5]! * w10 + s[i01 + 2]! * w01 + s[i01 + 5]! * w11 + 0.5) | 0;
        } else {
          for (let c = 0; c < ch; c++) {
            d[o + c] =
              (s[i00 + c]! * w00 +
                s[i00 + ch + c]! * w10 +
                s[i01 + c]! * w01 +
                s[i01 + ch + c]! * w11 +
                0.5) |
              0;
          }
        }
      } else sampleEdge(src, sx, sy, d, o, replicate, fill);
    }
  }
  return out;
}

/**
 * Resizes as cv2.resize with INTER_LINEAR: each output pixel centre (x + 0.5)·(W/w) − 0.5 in the source,
 * sampled bilinearly, edges replicated. No antialiasing when shrinking (like OpenCV), so it suits model
 * inputs that were made that way; use sharp (resizeImage) for pictures people look at.
 */
export function resizeLinear(src: Picture, width: number, height: number): RgbImage {
  const sx = width / src.width;
  const sy = height / src.height;
  const m = Float64Array.from([sx, 0, (sx - 1) / 2, 0, sy, (sy - 1) / 2]);
  return warpAffine(src, m, width, height, { border: 'replicate' });
}

/**
 * A pixel whose neighbours are not all inside the source: 'replicate' takes the nearest edge pixel,
 * 'constant' counts outside neighbours as `fill` (cv2's BORDER_CONSTANT). Rare, so not unrolled.
 */
function sampleEdge(
  src: RgbImage,
  sx: number,
  sy: number,
  d: Uint8Array,
  o: number,
  replicate: boolean,
  fill: number,
): void {
  const { width: w, height: h, channels: ch, data: s } = src;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const w11 = fx * fy;
  const w10 = fx - w11;
  const w01 = fy - w11;
  const w00 = 1 - fx - fy + w11;
  if (replicate) {
    const xa = x0 < 0 ? 0 : x0 >= w ? w - 1 : x0;
    const xb = x0 + 1 < 0 ? 0 : x0 + 1 >= w ? w - 1 : x0 + 1;
    const ya = y0 < 0 ? 0 : y0 >= h ? h - 1 : y0;
    const yb = y0 + 1 < 0 ? 0 : y0 + 1 >= h ? h - 1 : y0 + 1;
    const i00 = (ya * w + xa) * ch;
    const i10 = (ya * w + xb) * ch;
    const i01 = (yb * w + xa) * ch;
    const i11 = (yb * w + xb) * ch;
    for (let c = 0; c < ch; c++) {
      d[o + c] = (s[i00 + c]! * w00 + s[i10 + c]! * w10 + s[i01 + c]! * w01 + s[i11 + c]! * w11 + 0.5) | 0;
    }
  } else if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
    for (let c = 0; c < ch; c++) d[o + c] = fill;
  } else {
    const inX0 = x0 >= 0;
    const inX1 = x0 + 1 < w;
    const inY0 = y0 >= 0;
    const inY1 = y0 + 1 < h;
    const i00 = (y0 * w + x0) * ch;
    const i01 = i00 + w * ch;
    for (let c = 0; c < ch; c++) {
      const p00 = inX0 && inY0 ? s[i00 + c]! : fill;
      const p10 = inX1 && inY0 ? s[i00 + ch + c]! : fill;
      const p01 = inX0 && inY1 ? s[i01 + c]! : fill;
      const p11 = inX1 && inY1 ? s[i01 + ch + c]! : fill;
      d[o + c] = (p00 * w00 + p10 * w10 + p01 * w01 + p11 * w11 + 0.5) | 0;
    }
  }
}

/**
 * An RGB warp without rotation or shear (a scaled, shifted window: crops, resizes): each column's and
 * each row's source position is the same for the whole image, so they are worked out once. The sums are
 * the general loop's, in the same order, so the result is bit-identical to it.
 */
function warpAxisAligned(src: RgbImage, inv: Affine, out: RgbImage, replicate: boolean, fill: number): void {
  const { width: w, height: h, data: s } = src;
  const { width, height, data: d } = out;
  const stride = w * 3;
  const ia = inv[0]!;
  const itx = inv[2]!;
  const id = inv[4]!;
  const ity = inv[5]!;
  const xs = new Float64Array(width);
  const x0s = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    xs[x] = ia * x + itx;
    x0s[x] = Math.floor(xs[x]!);
  }
  for (let y = 0, o = 0; y < height; y++) {
    const sy = id * y + ity;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    const rowInside = y0 >= 0 && y0 < h - 1;
    const row = y0 * stride;
    for (let x = 0; x < width; x++, o += 3) {
      const x0 = x0s[x]!;
      if (!(rowInside && x0 >= 0 && x0 < w - 1)) {
        sampleEdge(src, xs[x]!, sy, d, o, replicate, fill);
        continue;
      }
      const fx = xs[x]! - x0;
      const w11 = fx * fy;
      const w10 = fx - w11;
      const w01 = fy - w11;
      const w00 = 1 - fx - fy + w11;
      const i00 = row + x0 * 3;
      const i01 = i00 + stride;
      d[o] = (s[i00]! * w00 + s[i00 + 3]! * w10 + s[i01]! * w01 + s[i01 + 3]! * w11 + 0.5) | 0;
      d[o + 1] = (s[i00 + 1]! * w00 + s[i00 + 4]! * w10 + s[i01 + 1]! * w01 + s[i01 + 4]! * w11 + 0.5) | 0;
      d[o + 2] = (s[i00 + 2]! * w00 + s[i00 + 5]! * w10 + s[i01 + 2]! * w01 + s[i01 + 5]! * w11 + 0.5) | 0;
    }
  }
}
