// Draws the processed frames that arrive on a live socket onto a canvas (docs/live.md). Images are
// decoded off the main thread; one that finishes after a newer one has been drawn is dropped.
import { decodeFrame, type FrameHeader } from '@visage/db/live/protocol';

const MIME = { jpeg: 'image/jpeg', webp: 'image/webp' } as const;

export class FramePainter {
  #canvas: HTMLCanvasElement | null = null;
  /** Arrival numbers, not seq: a new session (or another one, for a watcher) starts seq again. */
  #arrived = 0;
  #drawn = 0;
  #shown = 0;

  constructor(private readonly onShown?: (header: FrameHeader) => void) {}

  /** The canvas to draw on (null while it is unmounted). Its data-frames-shown counts the frames. */
  attach(canvas: HTMLCanvasElement | null): void {
    this.#canvas = canvas;
    if (canvas) canvas.dataset.framesShown = String(this.#shown);
  }

  get shown(): number {
    return this.#shown;
  }

  /** Starts drawing a received frame; its header, or null for a malformed one (skipped). */
  paint(data: ArrayBuffer): FrameHeader | null {
    let frame: ReturnType<typeof decodeFrame>;
    try {
      frame = decodeFrame(new Uint8Array(data));
    } catch {
      return null; // the next frame replaces it anyway
    }
    const order = ++this.#arrived;
    const blob = new Blob([frame.image as Uint8Array<ArrayBuffer>], { type: MIME[frame.header.format] });
    createImageBitmap(blob).then(
      (bitmap) => {
        const canvas = this.#canvas;
        if (order <= this.#drawn || !canvas) return bitmap.close();
        this.#drawn = order;
        if (canvas.width !== bitmap.width) canvas.width = bitmap.width;
        if (canvas.height !== bitmap.height) canvas.height = bitmap.height;
        canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
        bitmap.close();
        canvas.dataset.framesShown = String(++this.#shown);
        this.onShown?.(frame.header);
      },
      () => undefined, // an undecodable image: the worker sends a warning for its own problems
    );
    return frame.header;
  }

  /** Blanks the canvas (the session ended) and starts counting arrivals afresh. */
  clear(): void {
    const canvas = this.#canvas;
    canvas?.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
    this.#drawn = this.#arrived;
  }
}
