// Portrait animation as a long-lived frame processor for the realtime path: the portrait is prepared
// once; each webcam frame (the driver) becomes an animated portrait frame, through the same
// per-frame stages as a video job (animationPipeline). The first frame given is the reference pose
// of relative motion, as a driving video's first frame is. The face is found again on every frame,
// as FasterLivePortrait's realtime mode does (docs/models/liveportrait.md §5.6).
import { type ModelLease, type RgbImage, toRgb } from '@visage/inference';
import { runFrame, type SequenceFrame } from '../frames/pipeline.ts';
import type { ModelUse } from '../leases.ts';
import { PluginInputError } from '../types.ts';
import { acquireLivePortraitModels, type LivePortraitModels } from './acquire.ts';
import { LivePortraitAnimator } from './animator.ts';
import { squareCropping, wholeFrameCropping } from './crop.ts';
import { animationPipeline, type DrivingLocation } from './frame-pipeline.ts';
import { followsDrivingRatios } from './needs.ts';
import { animateSettings } from './run.ts';
import type { LiveportraitInput, LiveportraitLiveInput } from './schema.ts';
import { drivingFaceFinder } from './tracking.ts';

export interface LivePortraitFrameProcessor {
  /** The animated portrait (or its 512² face with `pasteBack` off) for one driving frame. */
  process(frame: RgbImage, timestampMs?: number): Promise<RgbImage>;
  readonly animator: LivePortraitAnimator;
  readonly models: readonly ModelUse[];
  close(): void;
}

export async function openLivePortraitFrameProcessor(
  acquire: (id: string) => Promise<ModelLease>,
  input: Omit<LiveportraitLiveInput, 'source'>,
  portrait: { name: string; image: RgbImage },
  fps = 30,
): Promise<LivePortraitFrameProcessor> {
  const acquired = await acquireLivePortraitModels(acquire, input);
  try {
    const { models } = acquired;
    const source = await LivePortraitAnimator.prepare(models, portrait.image, portrait.name);
    const animator = new LivePortraitAnimator(models, animateSettings(input, fps), source);
    const pipeline = animationPipeline(animator, {
      locate: cameraLocator(models, input),
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
        // RGB out (the pipeline's default format), for the socket's JPEG/WebP encoder.
        return runFrame(pipeline, { image: frame, index: index++, timeMs: timestampMs }).then(toRgb);
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

/**
 * Each camera picture's crop: when it is cropped (asked, or not square, as LP decides for a video),
 * LP's upright driving square around the face found in this very picture, tracked from the last one's
 * 203 points (FLP) or detected afresh without that model. A picture without a face keeps the last
 * crop; the first must show one. Uncropped pictures are used whole. The ratios come with the tracking
 * when retargeting follows them.
 */
function cameraLocator(
  models: LivePortraitModels,
  input: Pick<LiveportraitInput, 'cropDriving' | 'eyeRetargeting' | 'eyeOpen' | 'lipRetargeting' | 'lipOpen'>,
): (frame: SequenceFrame) => Promise<DrivingLocation> {
  const find = drivingFaceFinder(models);
  const ratios = followsDrivingRatios(input);
  let last: DrivingLocation | null = null;
  return async ({ image }) => {
    const crop = input.cropDriving || image.width !== image.height;
    if (!crop && !ratios) return { cropping: wholeFrameCropping(image), ratios: null };
    const found = await find(toRgb(image)); // camera pictures are RGB already
    if (!crop) return { cropping: wholeFrameCropping(image), ratios: found?.ratios ?? null };
    if (found) last = { cropping: squareCropping(found.square), ratios: found.ratios };
    else if (last) return { cropping: last.cropping, ratios: null };
    else throw new PluginInputError('No face found in the camera picture');
    return last;
  };
}
