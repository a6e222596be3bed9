// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loop are in bounds by construction
// The face swap's debug mask (docs/models/face.md §7.6): a frame-sized map of the weights pasteBack
// blended with, so the job page can show where the new face went and how strongly.
import { CropSampler, pasteRegion } from './blend.ts';
import { createImage, type RgbImage } from './image.ts';
import { type Affine, invertAffine } from './transform.ts';

/**
 * A frame-sized canvas of paste weights, 0..1, starting at 0. Each `add` warps one crop mask into the
 * frame exactly as pasteBack samples it (frame pixel mapped back through the inverse matrix, bilinear,
 * 0 outside the crop, the same clamp) and keeps the larger value where faces overlap.
 */
export class MaskCanvas {
  readonly width: number;
  readonly height: number;
  /** The weights, row-major, one per frame pixel. */
  readonly values: Float32Array;

  constructor(width: number, height: number) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new RangeError(`MaskCanvas: size must be positive integers (got ${width}×${height})`);
    }
    this.width = width;
    this.height = height;
    this.values = new Float32Array(width * height);
  }

  /**
   * Adds a size×size crop mask (0..1) placed by `cropToFrame` (crop pixel → frame pixel, the matrix
   * pasteBack receives). Pixels outside the warped crop keep their value.
   */
  add(mask: Float32Array, size: number, cropToFrame: Affine): void {
    if (!Number.isInteger(size) || size <= 0) {
      throw new RangeError(`MaskCanvas.add: size must be a positive integer (got ${size})`);
    }
    if (mask.length !== size * size) {
      throw new RangeError(
        `MaskCanvas.add: mask has ${mask.length} values, a ${size}×${size} crop needs ${size * size}`,
      );
    }
    if (cropToFrame.length !== 6) {
      throw new RangeError(`MaskCanvas.add: cropToFrame must have 6 values (got ${cropToFrame.length})`);
    }
    const inv = invertAffine(cropToFrame);
    const crop = createImage(size, size, 3);
    const region = pasteRegion(this, crop, cropToFrame);
    // pasteBack's own sampler (on a blank crop): the canvas holds the very weights it blends with.
    const sampler = new CropSampler(crop, mask);
    const out = this.values;
    const fw = this.width;
    const xEnd = region.x + region.width;
    const yEnd = region.y + region.height;
    for (let y = region.y; y < yEnd; y++) {
      const rowX = inv[1]! * y + inv[2]!;
      const rowY = inv[4]! * y + inv[5]!;
      for (let x = region.x; x < xEnd; x++) {
        const a = sampler.at(inv[0]! * x + rowX, inv[3]! * x + rowY, x, y);
        const i = y * fw + x;
        if (a > out[i]!) out[i] = a;
      }
    }
  }

  /** The canvas as an RGB image, R = G = B = round(255·value): white where the swap fully replaced the frame. */
  toImage(): RgbImage {
    const img = createImage(this.width, this.height, 3);
    const d = img.data;
    const v = this.values;
    for (let i = 0, o = 0; i < v.length; i++, o += 3) {
      const g = (v[i]! * 255 + 0.5) | 0;
      d[o] = g;
      d[o + 1] = g;
      d[o + 2] = g;
    }
    return img;
  }
}
