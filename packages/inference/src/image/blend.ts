// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loop are in bounds by construction
// Paste-back: warp a processed face crop and its mask into the frame and alpha-blend in place,
// out = m·crop + (1 − m)·frame (insightface, FaceFusion, LivePortrait). Warp and blend are fused and
// only the bounding box of the warped crop is visited, so the cost follows the face size, not the frame.
import { assertImage, type RgbImage } from './image.ts';
import { type Affine, applyAffine, invertAffine } from './transform.ts';
import { assertYuv, isYuv, type Picture } from './yuv.ts';
import { pasteBackYuv } from './yuv-paste.ts';

/** Pixel rectangle; width or height 0 when the crop lands outside the frame. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

// Float noise from blurs may push a 0..1 mask slightly past its range; more than this (or NaN) is a
// bug and throws. Checked on the sampled values inside the loop, which costs less than a pre-pass.
export const MASK_SLACK = 1e-3;

function checkMaskSize(mask: Float32Array, crop: RgbImage): void {
  if (mask.length !== crop.width * crop.height) {
    throw new RangeError(
      `pasteBack: mask has ${mask.length} values, the ${crop.width}×${crop.height} crop needs ${crop.width * crop.height}`,
    );
  }
}

function badMask(a: number, x: number, y: number): RangeError {
  return new RangeError(`pasteBack: mask sampled at frame pixel (${x}, ${y}) is ${a}, outside 0..1`);
}

type Size = Pick<RgbImage, 'width' | 'height'>;

/** Frame pixels that can receive any weight: the crop's corners one pixel out, mapped and clipped. */
export function pasteRegion(frame: Size, crop: Size, cropToFrame: Affine): Rect {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const cx of [-1, crop.width]) {
    for (const cy of [-1, crop.height]) {
      const [x, y] = applyAffine(cropToFrame, [cx, cy]);
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  const x0 = Math.max(0, Math.floor(minX));
  const y0 = Math.max(0, Math.floor(minY));
  const x1 = Math.min(frame.width - 1, Math.ceil(maxX));
  const y1 = Math.min(frame.height - 1, Math.ceil(maxY));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0 + 1), height: Math.max(0, y1 - y0 + 1) };
}

/**
 * Blends `crop` into `frame` (RGB, or a yuv420p frame: see yuv-paste.ts) in place through `cropToFrame` (crop pixel → frame pixel, i.e. the inverse
 * of the alignment matrix). The crop is sampled bilinearly with edge replication, the mask
 * (crop.width×crop.height, 0..1) bilinearly with 0 outside, so the pasted edge fades out. Colour
 * channels are blended; a frame's alpha channel is left alone. Returns the rectangle visited. A mask
 * value outside 0..1 (or NaN) throws when it is sampled, possibly after part of the frame was written.
 */
export function pasteBack(frame: Picture, crop: RgbImage, cropToFrame: Affine, mask: Float32Array): Rect {
  if (!isYuv(frame)) return pasteBackRgb(frame, crop, cropToFrame, mask);
  assertYuv(frame, 'pasteBack frame');
  assertImage(crop, 'pasteBack crop');
  checkMaskSize(mask, crop);
  return pasteBackYuv(frame, pasteRegion(frame, crop, cropToFrame), new CropSampler(crop, mask), cropToFrame);
}

function pasteBackRgb(frame: RgbImage, crop: RgbImage, cropToFrame: Affine, mask: Float32Array): Rect {
  assertImage(frame, 'pasteBack frame');
  assertImage(crop, 'pasteBack crop');
  checkMaskSize(mask, crop);
  const inv = invertAffine(cropToFrame);
  const region = pasteRegion(frame, crop, cropToFrame);
  const f = frame.data;
  const fch = frame.channels;
  const fw = frame.width;
  const sampler = new CropSampler(crop, mask);
  const v = sampler.rgb;
  const xEnd = region.x + region.width;
  const yEnd = region.y + region.height;
  for (let y = region.y; y < yEnd; y++) {
    const rowX = inv[1]! * y + inv[2]!;
    const rowY = inv[4]! * y + inv[5]!;
    for (let x = region.x; x < xEnd; x++) {
      const a = sampler.at(inv[0]! * x + rowX, inv[3]! * x + rowY, x, y);
      if (a === 0) continue;
      const o = (y * fw + x) * fch;
      for (let c = 0; c < 3; c++) {
        const b = f[o + c]!;
        f[o + c] = (b + a * (v[c]! - b) + 0.5) | 0;
      }
    }
  }
  return region;
}

/**
 * The crop and its mask sampled at a crop position, as pasteBack blends them: the mask bilinearly
 * with 0 outside the crop, the crop bilinearly with edges replicated. Shared by the RGB and the
 * yuv420p paste so both blend exactly the same values.
 */
export class CropSampler {
  /** The crop's colour at the last position sampled with a weight. */
  readonly rgb = new Float64Array(3);
  readonly #crop: RgbImage;
  readonly #mask: Float32Array;

  constructor(crop: RgbImage, mask: Float32Array) {
    this.#crop = crop;
    this.#mask = mask;
  }

  /** The mask weight at crop position (sx, sy), 0..1 (0: nothing to blend; `rgb` not set). (x, y) name the frame pixel in errors. */
  at(sx: number, sy: number, x: number, y: number): number {
    const { width: cw, height: chh, channels: cch, data: s } = this.#crop;
    const mask = this.#mask;
    const x0 = Math.floor(sx);
    const y0 = Math.floor(sy);
    if (x0 < -1 || y0 < -1 || x0 >= cw || y0 >= chh) return 0;
    const fx = sx - x0;
    const fy = sy - y0;
    const w11 = fx * fy;
    const w10 = fx - w11;
    const w01 = fy - w11;
    const w00 = 1 - fx - fy + w11;
    const v = this.rgb;
    if (x0 >= 0 && y0 >= 0 && x0 < cw - 1 && y0 < chh - 1) {
      // Fast path: all four neighbours inside the crop.
      const m00 = y0 * cw + x0;
      const m01 = m00 + cw;
      const a = weight(
        mask[m00]! * w00 + mask[m00 + 1]! * w10 + mask[m01]! * w01 + mask[m01 + 1]! * w11,
        x,
        y,
      );
      if (a === 0) return 0;
      const i00 = m00 * cch;
      const i01 = m01 * cch;
      for (let c = 0; c < 3; c++) {
        v[c] = s[i00 + c]! * w00 + s[i00 + cch + c]! * w10 + s[i01 + c]! * w01 + s[i01 + cch + c]! * w11;
      }
      return a;
    }
    // Edge: mask neighbours outside the crop are 0, crop neighbours are replicated.
    const inX0 = x0 >= 0;
    const inX1 = x0 + 1 < cw;
    const inY0 = y0 >= 0;
    const inY1 = y0 + 1 < chh;
    const a = weight(
      (inX0 && inY0 ? mask[y0 * cw + x0]! * w00 : 0) +
        (inX1 && inY0 ? mask[y0 * cw + x0 + 1]! * w10 : 0) +
        (inX0 && inY1 ? mask[(y0 + 1) * cw + x0]! * w01 : 0) +
        (inX1 && inY1 ? mask[(y0 + 1) * cw + x0 + 1]! * w11 : 0),
      x,
      y,
    );
    if (a === 0) return 0;
    const xa = inX0 ? x0 : 0;
    const xb = inX1 ? x0 + 1 : cw - 1;
    const ya = inY0 ? y0 : 0;
    const yb = inY1 ? y0 + 1 : chh - 1;
    const i00 = (ya * cw + xa) * cch;
    const i10 = (ya * cw + xb) * cch;
    const i01 = (yb * cw + xa) * cch;
    const i11 = (yb * cw + xb) * cch;
    for (let c = 0; c < 3; c++)
      v[c] = s[i00 + c]! * w00 + s[i10 + c]! * w10 + s[i01 + c]! * w01 + s[i11 + c]! * w11;
    return a;
  }
}

/** A sampled mask value as a blend weight: 0 for nothing, clamped to 1; out of range (or NaN) throws. */
function weight(a: number, x: number, y: number): number {
  if (!(a > 0)) {
    if (a >= -MASK_SLACK) return 0;
    throw badMask(a, x, y);
  }
  if (a > 1) {
    if (a > 1 + MASK_SLACK) throw badMask(a, x, y);
    return 1;
  }
  return a;
}
