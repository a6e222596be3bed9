// One driving frame of a portrait animation in the shared per-frame stages (frames/pipeline.ts), as
// video jobs and the realtime frame processor run it: analyse crops the driving picture and extracts
// its motion (a template's frames carry theirs), render turns the motion into keypoints, renders the
// face with W+G and pastes it into the portrait.
import { type Affine, type RgbImage, warpAffine } from '@visage/inference';
import type { FramePipeline, SequenceFrame } from '../frames/pipeline.ts';
import type { LivePortraitAnimator } from './animator.ts';
import { sideBySide } from './compose.ts';
import type { MotionFrame } from './template.ts';

/** A driving frame: a picture to take the motion from, or a motion template's saved frame. */
export type DrivingFrame = SequenceFrame | { index: number; timeMs: number; motion: MotionFrame };

export interface DrivingMotion {
  motion: MotionFrame;
  /** The driving crop the motion was taken from; null for a template's frame. */
  crop: RgbImage | null;
}

/** Image → driving crop, at the size the motion extractor samples (drivingCropMatrix). */
export interface DrivingCropping {
  matrix: Affine;
  size: number;
}

export interface AnimationOptions {
  /** The driving crop for every picture, worked out once from the first (retried while it throws). */
  cropping(first: RgbImage): Promise<DrivingCropping>;
  pasteBack: boolean;
  /** The driving picture beside the result. */
  sideBySide: boolean;
}

export interface AnimationPipeline extends FramePipeline<DrivingFrame, DrivingMotion, RgbImage> {
  /** Milliseconds of render's parts, summed over the frames. */
  readonly timings: { keypoints: number; render: number; paste: number };
}

export function animationPipeline(
  animator: LivePortraitAnimator,
  options: AnimationOptions,
): AnimationPipeline {
  const timings = { keypoints: 0, render: 0, paste: 0 };
  let cropping: DrivingCropping | null = null;
  return {
    timings,
    async analyse(frame) {
      if ('motion' in frame) return { motion: frame.motion, crop: null };
      cropping ??= await options.cropping(frame.image);
      const { matrix, size } = cropping;
      // Black outside the picture, as LP's crops.
      const crop = warpAffine(frame.image, matrix, size, size, { border: 'constant', fill: 0 });
      return { motion: await animator.drivingMotion(crop), crop };
    },
    async render(frame, { motion }) {
      let t = performance.now();
      const keypoints = await animator.keypointsFor(motion, frame.timeMs);
      timings.keypoints += performance.now() - t;
      t = performance.now();
      const face = await animator.render(keypoints);
      timings.render += performance.now() - t;
      t = performance.now();
      let out = animator.compose(face, options.pasteBack);
      if (options.sideBySide && 'image' in frame) out = await sideBySide(frame.image, out);
      timings.paste += performance.now() - t;
      return out;
    },
  };
}
