// Saves a live session's processed stream as a video (docs/live.md §5). Frames arrive at whatever
// rate the session reaches; the file has a constant frame rate, so each frame is written as many
// times as the wall clock says (a frame shown for 100 ms fills three 30 fps frames).
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEncoder, type RgbImage, type VideoEncoder } from '@visage/inference';

export const RECORD_FPS = 30;
/** Writes waiting on the encoder beyond which a frame is left out (the next one fills its time). */
const MAX_PENDING_WRITES = 4;

export interface Recording {
  path: string;
  frames: number;
  durationMs: number;
  codec: string;
}

export class LiveRecorder {
  readonly startedAt = new Date();
  #frames = 0;
  #pending = 0;
  #chain: Promise<void> = Promise.resolve();
  #failure: Error | null = null;

  private constructor(
    readonly path: string,
    private readonly encoder: VideoEncoder,
    private readonly width: number,
    private readonly height: number,
  ) {}

  static async start(width: number, height: number): Promise<LiveRecorder> {
    const file = path.join(os.tmpdir(), `visage-live-${randomUUID()}.mp4`);
    // veryfast: the encoder shares the machine with the models while the session runs.
    const encoder = await createEncoder(file, {
      width,
      height,
      fps: RECORD_FPS,
      crf: 20,
      preset: 'veryfast',
    });
    return new LiveRecorder(file, encoder, width, height);
  }

  get durationMs(): number {
    return Math.round((this.#frames * 1000) / RECORD_FPS);
  }

  /** The first encoder failure, if any (the recording then stops taking frames). */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Queues `frame` (copied) to cover the time up to now; never waits for the encoder. */
  add(frame: RgbImage): void {
    if (this.#failure || this.#pending >= MAX_PENDING_WRITES) return;
    if (frame.width !== this.width || frame.height !== this.height || frame.channels !== 3) return;
    const due = Math.max(1, Math.floor(((Date.now() - this.startedAt.getTime()) * RECORD_FPS) / 1000) + 1);
    const copies = due - this.#frames;
    if (copies <= 0) return;
    this.#frames = due;
    const data = Uint8Array.from(frame.data);
    this.#pending++;
    this.#chain = this.#chain.then(async () => {
      try {
        for (let i = 0; i < copies && !this.#failure; i++) await this.encoder.write(data);
      } catch (error) {
        this.#failure = error as Error;
      } finally {
        this.#pending--;
      }
    });
  }

  /** Waits for queued frames and closes the file. Throws the encoder's failure, removing the file. */
  async finish(): Promise<Recording> {
    await this.#chain;
    if (this.#failure) {
      await this.encoder.abort();
      throw this.#failure;
    }
    if (this.#frames === 0) {
      await this.encoder.abort();
      throw new Error('Nothing was recorded: no frame was processed while recording');
    }
    await this.encoder.finish();
    return { path: this.path, frames: this.#frames, durationMs: this.durationMs, codec: this.encoder.codec };
  }

  /** Stops without keeping anything. */
  async abort(): Promise<void> {
    await this.#chain;
    await this.encoder.abort();
    await rm(this.path, { force: true });
  }
}
