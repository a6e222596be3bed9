// One driving frame of a portrait animation in the shared per-frame stages (frames/pipeline.ts), as
// video jobs and the realtime frame processor run it: analyse crops the driving picture where the
// caller's locate says and extracts its motion (a template's frames carry theirs), render turns the
// motion into keypoints, renders the face with W+G and pastes it into the portrait.
import type { Picture, RgbImage } from '@visage/inference';
import type { FramePipeline, SequenceFrame } from '../frames/pipeline.ts';
import type { LivePortraitAnimator } from './animator.ts';
import { sideBySide } from './compose.ts';
import { type DrivingCropping, drivingCrop } from './crop.ts';
import type { MotionFrame } from './template.ts';
import type { DrivingRatios } from './tracking.ts';

/** A driving frame: a picture to take the motion from, or a motion template's saved frame. */
export type DrivingFrame = SequenceFrame | { index: number; timeMs: number; motion: MotionFrame };

export interface DrivingMotion {
  motion: MotionFrame;
  /** The driving crop the motion was taken from; null for a template's frame. */
  crop: RgbImage | null;
}

/** Where a driving picture's face is: how to crop it, and its eye/lip ratios when they were tracked. */
export interface DrivingLocation {
  cropping: DrivingCropping;
  ratios: DrivingRatios | null;
}

export interface AnimationOptions {
  /** Each driving picture's crop and ratios, asked in frame order (it may keep state from frame to frame). */
  locate(frame: SequenceFrame): Promise<DrivingLocation>;
  pasteBack: boolean;
  /** The driving picture beside the result. */
  sideBySide: boolean;
  /** The pasted-back frames as RGB (default; the realtime path) or yuv420p (video jobs). */
  format?: 'rgb24' | 'yuv420p';
}

export interface AnimationPipeline extends FramePipeline<DrivingFrame, DrivingMotion, Picture> {
  /** Milliseconds of render's parts, summed over the frames. */
  readonly timings: { keypoints: number; render: number; paste: number };
}

export function animationPipeline(
  animator: LivePortraitAnimator,
  options: AnimationOptions,
): AnimationPipeline {
  const timings = { keypoints: 0, render: 0, paste: 0 };
  return {
    timings,
    async analyse(frame) {
      if ('motion' in frame) return { motion: frame.motion, crop: null };
      const { cropping, ratios } = await options.locate(frame);
      const crop = drivingCrop(frame.image, cropping);
      return { motion: await animator.drivingMotion(crop, ratios), crop };
    },
    async render(frame, { motion }) {
      let t = performance.now();
      const keypoints = await animator.keypointsFor(motion, frame.timeMs);
      timings.keypoints += performance.now() - t;
      t = performance.now();
      const face = await animator.render(keypoints);
      timings.render += performance.now() - t;
      t = performance.now();
      let out = animator.compose(face, options.pasteBack, options.sideBySide ? 'rgb24' : options.format);
      if (options.sideBySide && 'image' in frame) out = await sideBySide(frame.image, out);
      timings.paste += performance.now() - t;
      return out;
    },
  };
}
