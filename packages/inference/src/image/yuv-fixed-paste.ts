// FixedPaste into a yuv420p background (a LivePortrait video job's portrait): the window the crop can
// reach (widened to whole chroma blocks) is kept as RGB once; each frame the crop is blended into a
// copy of that window and only the pixels it changed are converted into the caller's frame
// (docs/video.md §2), so a frame costs its face, not a whole-picture RGB → YUV conversion.
import type { Rect } from './blend.ts';
import { pasteRegion } from './blend.ts';
import { FixedPaste } from './fixed-paste.ts';
import type { RgbImage } from './image.ts';
import { type Affine, affine, composeAffine } from './transform.ts';
import { assertYuv, writeRgbToYuv, type YuvImage, yuvToRgb } from './yuv.ts';

export class FixedYuvPaste {
  /** The part of the frame a paste may rewrite (even-aligned). */
  readonly window: Rect;
  readonly #paste: FixedPaste;
  readonly #base: RgbImage;
  readonly #scratch: RgbImage;
  readonly #frame: { width: number; height: number };

  /** `background` is the picture every frame starts from; the other arguments are FixedPaste's. */
  constructor(
    background: YuvImage,
    crop: { width: number; height: number },
    cropToFrame: Affine,
    mask: Float32Array,
  ) {
    assertYuv(background, 'FixedYuvPaste background');
    const region = pasteRegion(background, crop, cropToFrame);
    if (region.width === 0 || region.height === 0)
      throw new RangeError('FixedYuvPaste: the crop lands outside the frame');
    const x0 = region.x & ~1;
    const y0 = region.y & ~1;
    const x1 = Math.min(background.width, (region.x + region.width + 1) & ~1);
    const y1 = Math.min(background.height, (region.y + region.height + 1) & ~1);
    this.window = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    this.#frame = { width: background.width, height: background.height };
    this.#base = yuvToRgb(background, this.window);
    this.#scratch = { ...this.#base, data: new Uint8Array(this.#base.data.length) };
    const toWindow = composeAffine(affine(1, 0, -x0, 0, 1, -y0), cropToFrame);
    this.#paste = new FixedPaste(this.#base, crop, toWindow, mask);
  }

  /**
   * Blends the crop (CHW float planes, see FixedPaste.apply) into `frame`, which must hold the
   * background (a copy of it: only the changed pixels are written).
   */
  apply(frame: YuvImage, planes: Float32Array, scale = 255): void {
    if (frame.width !== this.#frame.width || frame.height !== this.#frame.height) {
      throw new RangeError(
        `FixedYuvPaste: made for a ${this.#frame.width}×${this.#frame.height} frame, got ${frame.width}×${frame.height}`,
      );
    }
    this.#scratch.data.set(this.#base.data);
    this.#paste.apply(this.#scratch, planes, scale);
    writeRgbToYuv(frame, this.#scratch, this.window.x, this.window.y, this.#base);
  }
}
