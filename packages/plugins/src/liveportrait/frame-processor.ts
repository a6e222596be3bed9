// Portrait animation as a long-lived frame processor for the realtime path: the portrait is prepared
// once; each webcam frame (the driver) becomes an animated portrait frame. The first frame given is
// the reference pose of relative motion, as a driving video's first frame is.
import { type Affine, type ModelLease, type RgbImage, warpAffine } from '@visage/inference';
import type { ModelUse } from '../leases.ts';
import { PluginInputError } from '../types.ts';
import { centreSquare, drivingCropMatrix, drivingFaceCrop, LivePortraitAnimator } from './animator.ts';
import { acquireLivePortraitModels } from './acquire.ts';
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
    let cropping: { matrix: Affine; size: number } | null = null;
    let closed = false;
    return {
      animator,
      models: acquired.used,
      async process(frame, timestampMs) {
        if (closed) throw new Error('The portrait animation frame processor is closed');
        if (!cropping) {
          if (input.cropDriving) {
            const found = await drivingFaceCrop(models, frame);
            if (!found) throw new PluginInputError('No face found in the camera picture');
            cropping = drivingCropMatrix(found.crop);
          } else {
            cropping = drivingCropMatrix(centreSquare(frame));
          }
        }
        const { matrix, size } = cropping;
        const driving = warpAffine(frame, matrix, size, size, { border: 'constant', fill: 0 });
        const keypoints = await animator.keypointsFor(await animator.drivingMotion(driving), timestampMs);
        const face = await animator.render(keypoints);
        return animator.compose(face, input.pasteBack);
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
