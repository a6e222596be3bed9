// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loop are in bounds by construction
// Paste-back: warp a processed face crop and its mask into the frame and alpha-blend in place,
// out = m·crop + (1 − m)·frame (insightface, FaceFusion, LivePortrait). Warp and blend are fused and
// only the bounding box of the warped crop is visited, so the cost follows the face size, not the frame.
import { assertImage, type RgbImage } from './image.ts';
import { type Affine, applyAffine, invertAffine } from './transform.ts';

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
 * Blends `crop` into `frame` in place through `cropToFrame` (crop pixel → frame pixel, i.e. the inverse
 * of the alignment matrix). The crop is sampled bilinearly with edge replication, the mask
 * (crop.width×crop.height, 0..1) bilinearly with 0 outside, so the pasted edge fades out. Colour
 * channels are blended; a frame's alpha channel is left alone. Returns the rectangle visited. A mask
 * value outside 0..1 (or NaN) throws when it is sampled, possibly after part of the frame was written.
 */
export function pasteBack(frame: RgbImage, crop: RgbImage, cropToFrame: Affine, mask: Float32Array): Rect {
  assertImage(frame, 'pasteBack frame');
  assertImage(crop, 'pasteBack crop');
  checkMaskSize(mask, crop);
  const inv = invertAffine(cropToFrame);
  const region = pasteRegion(frame, crop, cropToFrame);
  const f = frame.data;
  const s = crop.data;
  const fch = frame.channels;
  const cch = crop.channels;
  const fw = frame.width;
  const cw = crop.width;
  const chh = crop.height;
  const ia = inv[0]!;
  const ib = inv[1]!;
  const itx = inv[2]!;
  const ic = inv[3]!;
  const id = inv[4]!;
  const ity = inv[5]!;
  const xEnd = region.x + region.width;
  const yEnd = region.y + region.height;
  for (let y = region.y; y < yEnd; y++) {
    const rowX = ib * y + itx;
    const rowY = id * y + ity;
    for (let x = region.x; x < xEnd; x++) {
      const sx = ia * x + rowX;
      const sy = ic * x + rowY;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= cw || y0 >= chh) continue;
      const fx = sx - x0;
      const fy = sy - y0;
      const w11 = fx * fy;
      const w10 = fx - w11;
      const w01 = fy - w11;
      const w00 = 1 - fx - fy + w11;
      const o = (y * fw + x) * fch;
      if (x0 >= 0 && y0 >= 0 && x0 < cw - 1 && y0 < chh - 1) {
        // Fast path: all four neighbours inside the crop.
        const m00 = y0 * cw + x0;
        const m01 = m00 + cw;
        let a = mask[m00]! * w00 + mask[m00 + 1]! * w10 + mask[m01]! * w01 + mask[m01 + 1]! * w11;
        if (!(a > 0)) {
          if (a >= -MASK_SLACK) continue;
          throw badMask(a, x, y);
        }
        if (a > 1) {
          if (a > 1 + MASK_SLACK) throw badMask(a, x, y);
          a = 1;
        }
        const i00 = m00 * cch;
        const i01 = m01 * cch;
        for (let c = 0; c < 3; c++) {
          const v = s[i00 + c]! * w00 + s[i00 + cch + c]! * w10 + s[i01 + c]! * w01 + s[i01 + cch + c]! * w11;
          const b = f[o + c]!;
          f[o + c] = (b + a * (v - b) + 0.5) | 0;
        }
      } else {
        // Edge: mask neighbours outside the crop are 0, crop neighbours are replicated.
        const inX0 = x0 >= 0;
        const inX1 = x0 + 1 < cw;
        const inY0 = y0 >= 0;
        const inY1 = y0 + 1 < chh;
        let a =
          (inX0 && inY0 ? mask[y0 * cw + x0]! * w00 : 0) +
          (inX1 && inY0 ? mask[y0 * cw + x0 + 1]! * w10 : 0) +
          (inX0 && inY1 ? mask[(y0 + 1) * cw + x0]! * w01 : 0) +
          (inX1 && inY1 ? mask[(y0 + 1) * cw + x0 + 1]! * w11 : 0);
        if (!(a > 0)) {
          if (a >= -MASK_SLACK) continue;
          throw badMask(a, x, y);
        }
        if (a > 1) {
          if (a > 1 + MASK_SLACK) throw badMask(a, x, y);
          a = 1;
        }
        const xa = inX0 ? x0 : 0;
        const xb = inX1 ? x0 + 1 : cw - 1;
        const ya = inY0 ? y0 : 0;
        const yb = inY1 ? y0 + 1 : chh - 1;
        const i00 = (ya * cw + xa) * cch;
        const i10 = (ya * cw + xb) * cch;
        const i01 = (yb * cw + xa) * cch;
        const i11 = (yb * cw + xb) * cch;
        for (let c = 0; c < 3; c++) {
          const v = s[i00 + c]! * w00 + s[i10 + c]! * w10 + s[i01 + c]! * w01 + s[i11 + c]! * w11;
          const b = f[o + c]!;
          f[o + c] = (b + a * (v - b) + 0.5) | 0;
        }
      }
    }
  }
  return region;
}
