// Portrait animation as a long-lived frame processor for the realtime path: the portrait is prepared
// once; each webcam frame (the driver) becomes an animated portrait frame, through the same
// per-frame stages as a video job (animationPipeline). The first frame given is the reference pose
// of relative motion, as a driving video's first frame is, and fixes the driving crop.
import type { ModelLease, RgbImage } from '@visage/inference';
import { runFrame } from '../frames/pipeline.ts';
import type { ModelUse } from '../leases.ts';
import { PluginInputError } from '../types.ts';
import { acquireLivePortraitModels } from './acquire.ts';
import { LivePortraitAnimator } from './animator.ts';
import { centreSquare, drivingCropMatrix, drivingFaceCrop } from './crop.ts';
import { animationPipeline } from './frame-pipeline.ts';
import { animateSettings } from './run.ts';
import type { LiveportraitInput } from './schema.ts';

export interface LivePortraitFrameProcessor {
  /** The animated portrait (or its 512² face with `pasteBack` off) for one driving frame. */
  process(frame: RgbImage, timestampMs?: number): Promise<RgbImage>;
  readonly animator: LivePortraitAnimator;
  readonly models: readonly ModelUse[];
  close(): void;
}

export async function openLivePortraitFrameProcessor(
  acquire: (id: string) => Promise<ModelLease>,
  input: Omit<LiveportraitInput, 'source' | 'driving' | 'motion'>,
  portrait: { name: string; image: RgbImage },
  fps = 30,
): Promise<LivePortraitFrameProcessor> {
  const acquired = await acquireLivePortraitModels(acquire, input);
  try {
    const { models } = acquired;
    const source = await LivePortraitAnimator.prepare(models, portrait.image, portrait.name);
    const animator = new LivePortraitAnimator(models, animateSettings(input, fps), source);
    const pipeline = animationPipeline(animator, {
      async cropping(first) {
        if (!input.cropDriving) return drivingCropMatrix(centreSquare(first));
        const found = await drivingFaceCrop(models, first);
        if (!found) throw new PluginInputError('No face found in the camera picture');
        return drivingCropMatrix(found.crop);
      },
      pasteBack: input.pasteBack,
      sideBySide: false,
    });
    let index = 0;
    let closed = false;
    return {
      animator,
      models: acquired.used,
      process(frame, timestampMs) {
        if (closed) return Promise.reject(new Error('The portrait animation frame processor is closed'));
        return runFrame(pipeline, { image: frame, index: index++, timeMs: timestampMs });
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
