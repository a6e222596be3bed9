// The face swap as a long-lived frame processor for the realtime path (webcam in, frames out):
// models acquired and the source identity computed once, then `process(frame)` per frame, through
// the same per-frame stages as a video job (FaceSwapProcessor.framePipeline).
import type { ModelLease, Picture, RgbImage } from '@visage/inference';
import { acquireFaceSwapModels, type ModelUse } from './acquire.ts';
import { FaceSwapProcessor } from './processor.ts';
import { settingsOf } from './run.ts';

export interface FaceSwapFrameProcessor {
  /** Swaps the faces of `frame` (RGB or yuv420p) in place and returns it (timestamps default to 30 fps). */
  process<P extends Picture>(frame: P, timestampMs?: number): Promise<P>;
  readonly processor: FaceSwapProcessor;
  readonly models: readonly ModelUse[];
  /** Releases the model leases; the processor must not be used afterwards. */
  close(): void;
}

export async function openFaceSwapFrameProcessor(
  acquire: (id: string) => Promise<ModelLease>,
  input: Parameters<typeof settingsOf>[0],
  sources: readonly { name: string; image: RgbImage }[],
): Promise<FaceSwapFrameProcessor> {
  const acquired = await acquireFaceSwapModels(acquire, input);
  try {
    const processor = new FaceSwapProcessor(acquired.models, settingsOf(input));
    await processor.setSources(sources);
    let closed = false;
    return {
      processor,
      models: acquired.used,
      process(frame, timestampMs) {
        if (closed) return Promise.reject(new Error('The face swap frame processor is closed'));
        return processor.process(frame, timestampMs);
      },
      close() {
        closed = true;
        acquired.release();
      },
    };
  } catch (error) {
    acquired.release();
    throw error;
  }
}
