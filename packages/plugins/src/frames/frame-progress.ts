// Progress of a frame-by-frame job: "frame n/N" with a preview picture now and then (the first frame
// at once, then every few seconds), so the job page shows the result forming without the cost of
// encoding a preview per frame.
import { encodeImage, type Picture, toRgb } from '@visage/inference';
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
    readonly range: readonly [number, number] = [0.05, 0.95],
  ) {}

  get done(): number {
    return this.#done;
  }

  /** Reports one more finished frame; progress runs over `range` (5 % to 95 %) with the frames. */
  async frameDone(frame: Picture): Promise<void> {
    this.#done++;
    const now = performance.now();
    let preview: { data: Uint8Array; mime: 'image/jpeg' } | undefined;
    if (now - this.#lastPreview >= PREVIEW_EVERY_MS) {
      this.#lastPreview = now;
      preview = { data: await encodeImage(toRgb(frame), 'jpeg', 80), mime: 'image/jpeg' };
    }
    const total = Math.max(this.total, this.#done);
    const [from, to] = this.range;
    this.ctx.progress(
      from + ((to - from) * this.#done) / total,
      `frame ${this.#done}/${this.total}`,
      preview,
    );
  }
}
