// Progress of a frame-by-frame job: "frame n/N" with a preview picture now and then (the first frame
// at once, then every few seconds), so the job page shows the result forming without the cost of
// encoding a preview per frame.
import { encodeImage, type RgbImage } from '@visage/inference';
import type { RunContext } from '../types.ts';

/** A preview frame at most this often. */
const PREVIEW_EVERY_MS = 3_000;

export class FrameProgress {
  #lastPreview = Number.NEGATIVE_INFINITY;
  #done = 0;

  /** `total` is the expected frame count (a probe's estimate; the count shown never falls behind). */
  constructor(
    readonly ctx: Pick<RunContext, 'progress'>,
    readonly total: number,
  ) {}

  get done(): number {
    return this.#done;
  }

  /** Reports one more finished frame; progress runs from 5 % to 95 % over the frames. */
  async frameDone(frame: RgbImage): Promise<void> {
    this.#done++;
    const now = performance.now();
    let preview: { data: Uint8Array; mime: 'image/jpeg' } | undefined;
    if (now - this.#lastPreview >= PREVIEW_EVERY_MS) {
      this.#lastPreview = now;
      preview = { data: await encodeImage(frame, 'jpeg', 80), mime: 'image/jpeg' };
    }
    const total = Math.max(this.total, this.#done);
    this.ctx.progress(0.05 + (0.9 * this.#done) / total, `frame ${this.#done}/${this.total}`, preview);
  }
}
