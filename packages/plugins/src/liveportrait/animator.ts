// The LivePortrait loop (docs/models/liveportrait.md §1.3, §3): the source portrait is prepared once (crop,
// appearance features F, motion, keypoints x_s); each driving frame's motion becomes new keypoints
// (relative or absolute motion, smoothing, retargeting, stitching, multiplier) and W+G renders the
// face, which is pasted back into the portrait. Serves video jobs, motion templates and the webcam.
import {
  FixedPaste,
  FixedYuvPaste,
  type ModelSession,
  type ort,
  type Picture,
  type Point,
  type RgbImage,
  resizeImage,
  rgbToYuv,
  warpAffine,
  type YuvImage,
} from '@visage/inference';
import { PluginInputError } from '../types.ts';
import type { LivePortraitModels } from './acquire.ts';
import {
  type CropRect,
  cropRectFromLandmarks,
  faceCrop,
  LANDMARK_106_ANCHORS,
  pasteMask,
  SOURCE_CROP,
} from './crop.ts';
import { LANDMARK203_CROP, landmarks203 } from './landmarks.ts';
import {
  type AnimationRegion,
  absoluteMotion,
  addDelta,
  applyMultiplier,
  applyStitching,
  eyeCloseRatios,
  eyeRetargetInput,
  keypointsOf,
  lipCloseRatio,
  lipRetargetInput,
  type MotionInfo,
  MotionSmoother,
  relativeMotion,
  rotationMatrix,
  sourceKeypoints,
  stitchingInput,
} from './motion.ts';
import { normalizesLips } from './needs.ts';
import {
  appearanceFeatures,
  extractMotion,
  faceImage,
  LP_OUTPUT_SIZE,
  networkInput,
  renderFace,
  runMlp,
} from './networks.ts';
import type { MotionFrame } from './template.ts';
import type { DrivingRatios } from './tracking.ts';

export interface AnimateSettings {
  mode: 'relative' | 'absolute';
  region: AnimationRegion;
  /** LP's driving_multiplier: scales the final keypoints' distance from the source's (1 = as driven). */
  multiplier: number;
  /** 0 = off (LP and FLP for an image source); else One-Euro smoothing of the head angles only (smootherOptions). */
  smoothing: number;
  stitching: boolean;
  eyeRetargeting: boolean;
  /** A fixed target eye-open ratio instead of the driving face's. */
  eyeOpen?: number;
  lipRetargeting: boolean;
  lipOpen?: number;
  /** LP's lip normalisation (relative motion without retargeting): close an open source mouth first. */
  normalizeLips: boolean;
  /** Driving frames per second (the smoothing filter's rate when frames carry no timestamps). */
  fps: number;
}

/** LP scales portraits down to at most this many pixels a side (its output video has the portrait's size). */
export const MAX_SOURCE_SIDE = 1280;

/** The portrait as LP animates it: at most MAX_SOURCE_SIDE a side (then with even sides), else as it is. */
export async function fitSource(image: RgbImage): Promise<RgbImage> {
  const longest = Math.max(image.width, image.height);
  if (longest <= MAX_SOURCE_SIDE) return image;
  const even = (v: number) => Math.max(2, Math.round((v * MAX_SOURCE_SIDE) / longest / 2) * 2);
  return resizeImage(image, even(image.width), even(image.height));
}

/** LP normalises the source's lips (closes the mouth) before animating when they are this open. */
const LIP_NORMALIZE_THRESHOLD = 0.03;

export interface PreparedSource {
  image: RgbImage;
  crop: CropRect;
  features: ort.Tensor;
  motion: MotionInfo;
  /** x_s: the source's keypoints. */
  keypoints: Float32Array;
  /** From the 203-point landmarks, when that model runs. */
  eyeRatios: [number, number] | null;
  lipRatio: number | null;
}

/**
 * The portrait's eye and lip ratios (nulls without the 203-point model), as LP's crop_source_image:
 * the 203-point model on the portrait, its 224² crop made from the 106 points (scale 1.5, vy −0.1).
 */
async function sourceRatios(session: ModelSession | null, image: RgbImage, points106: readonly Point[]) {
  if (!session) return { eyeRatios: null, lipRatio: null };
  const crop = cropRectFromLandmarks(points106, { ...LANDMARK_106_ANCHORS, ...LANDMARK203_CROP });
  const points = await landmarks203(session, image, crop.matrix);
  return { eyeRatios: eyeCloseRatios(points), lipRatio: lipCloseRatio(points) };
}

export class LivePortraitAnimator {
  #first: MotionInfo | null = null;
  #smoother: MotionSmoother | null;
  #lipZero: Float32Array | null = null;
  #paste: FixedPaste | null = null;
  #yuvPaste: { background: YuvImage; paste: FixedYuvPaste } | null = null;

  constructor(
    readonly models: LivePortraitModels,
    readonly settings: AnimateSettings,
    readonly source: PreparedSource,
  ) {
    this.#smoother = settings.smoothing > 0 ? new MotionSmoother(smootherOptions(settings)) : null;
  }

  /** Scales a large portrait down (fitSource), crops it, extracts its appearance and motion once. */
  static async prepare(
    models: LivePortraitModels,
    original: RgbImage,
    name: string,
  ): Promise<PreparedSource> {
    const image = await fitSource(original);
    const found = await faceCrop(models, image, SOURCE_CROP);
    if (!found) throw new PluginInputError(`No face found in the source image "${name}"`);
    const crop512 = warpAffine(image, found.crop.matrix, LP_OUTPUT_SIZE, LP_OUTPUT_SIZE, {
      border: 'constant',
      fill: 0,
    });
    const input = await networkInput(crop512);
    const features = await appearanceFeatures(models.appearance, input);
    const motion = await extractMotion(models.motion, input);
    const ratios = await sourceRatios(models.landmark203, image, found.points);
    return { image, crop: found.crop, features, motion, keypoints: sourceKeypoints(motion), ...ratios };
  }

  /**
   * The motion of one driving crop (512² face square or 256² whole frame, crop.ts), with the driving
   * face's eye/lip ratios as tracked on the picture (NaN when unknown).
   */
  async drivingMotion(crop: RgbImage, ratios: DrivingRatios | null): Promise<MotionFrame> {
    const motion = await extractMotion(this.models.motion, await networkInput(crop));
    return {
      pitch: motion.pitch,
      yaw: motion.yaw,
      roll: motion.roll,
      t: motion.t,
      exp: motion.exp,
      scale: motion.scale,
      eyeRatios: ratios ? [ratios.eyes[0], ratios.eyes[1]] : [Number.NaN, Number.NaN],
      lipRatio: ratios?.lip ?? Number.NaN,
    };
  }

  /** New keypoints for a driving frame (the first frame given is the reference of relative motion). */
  async keypointsFor(frame: MotionFrame, timestampMs?: number): Promise<Float32Array> {
    const { settings, models, source } = this;
    let driving: MotionInfo = {
      pitch: frame.pitch,
      yaw: frame.yaw,
      roll: frame.roll,
      R: rotationMatrix(frame.pitch, frame.yaw, frame.roll),
      t: frame.t,
      exp: frame.exp,
      scale: frame.scale,
      kp: source.motion.kp, // unused by the motion formulas; M's own kp is not needed for driving
    };
    if (this.#smoother)
      driving = this.#smoother.smooth(driving, timestampMs === undefined ? undefined : timestampMs / 1000);
    this.#first ??= driving;
    const xs = source.keypoints;
    const motion =
      settings.mode === 'relative'
        ? relativeMotion(source.motion, driving, this.#first, { region: settings.region })
        : absoluteMotion(source.motion, driving, { region: settings.region });
    let x = keypointsOf(source.motion.kp, motion);

    // LP's Algorithm 1 (live_portrait_pipeline.py), in its order.
    if (settings.eyeRetargeting || settings.lipRetargeting) {
      // Relative motion is replaced by the source's keypoints plus the eye/lip deltas; absolute
      // motion keeps the driven keypoints and adds the deltas to them (§3.8).
      if (settings.mode === 'relative') x = Float32Array.from(xs);
      if (settings.eyeRetargeting && models.eye && source.eyeRatios) {
        const target = settings.eyeOpen ?? frame.eyeRatios[0];
        if (Number.isFinite(target))
          x = addDelta(x, await runMlp(models.eye, eyeRetargetInput(xs, source.eyeRatios, target)));
      }
      if (settings.lipRetargeting && models.lip && source.lipRatio !== null) {
        const target = settings.lipOpen ?? frame.lipRatio;
        if (Number.isFinite(target))
          x = addDelta(x, await runMlp(models.lip, lipRetargetInput(xs, source.lipRatio, target)));
      }
      if (settings.stitching) x = await this.#stitch(x);
    } else {
      if (settings.stitching) x = await this.#stitch(x);
      // Lip normalisation after stitching, as LP does.
      const lipZero = await this.#lipZeroDelta();
      if (lipZero) x = addDelta(x, lipZero);
    }
    // The multiplier comes last and scales everything above, the stitching and deltas included.
    return applyMultiplier(xs, x, settings.multiplier);
  }

  async #stitch(x: Float32Array): Promise<Float32Array> {
    const stitching = this.models.stitching;
    if (!stitching) return x;
    return applyStitching(x, await runMlp(stitching, stitchingInput(this.source.keypoints, x)));
  }

  /** LP's lip normalisation: close an open source mouth before animating (needs the lip model). */
  async #lipZeroDelta(): Promise<Float32Array | null> {
    const { models, source } = this;
    if (!normalizesLips(this.settings) || !models.lip) return null;
    if (source.lipRatio === null || source.lipRatio < LIP_NORMALIZE_THRESHOLD) return null;
    this.#lipZero ??= await runMlp(models.lip, lipRetargetInput(source.keypoints, source.lipRatio, 0));
    return this.#lipZero;
  }

  /** The 512² face at the given keypoints, as W+G's float planes (see compose). */
  render(keypoints: Float32Array): Promise<Float32Array> {
    return renderFace(this.models.warping, this.source.features, keypoints, this.source.keypoints);
  }

  /**
   * The output frame for a rendered face: pasted into (a copy of) the portrait, or the 512² crop alone.
   * LP pastes back only with stitching on (without it the face does not meet the shoulders, §6.3).
   */
  compose(face: Float32Array, pasteBack: boolean, format: 'rgb24' | 'yuv420p' = 'rgb24'): Picture {
    if (!(pasteBack && this.settings.stitching)) return faceImage(face);
    return format === 'yuv420p' ? this.pasteIntoSourceYuv(face) : this.pasteIntoSource(face);
  }

  /** The portrait with `face` pasted back (a new image; the source is not touched). */
  pasteIntoSource(face: Float32Array): RgbImage {
    const { image, crop } = this.source;
    // Same place, same mask every frame: the sampling is worked out on the first paste only.
    this.#paste ??= new FixedPaste(
      image,
      { width: LP_OUTPUT_SIZE, height: LP_OUTPUT_SIZE },
      crop.inverse,
      pasteMask(LP_OUTPUT_SIZE),
    );
    // new Uint8Array(…) copies; a decoded image's data is a Buffer, whose slice() would be a view.
    const out = { ...image, data: new Uint8Array(image.data) };
    this.#paste.apply(out, face);
    return out;
  }

  /**
   * The same as a yuv420p frame for a video job (BT.709, odd sides cropped): the portrait is
   * converted once, and each frame converts only the pixels the face changed (docs/video.md §2).
   */
  pasteIntoSourceYuv(face: Float32Array): YuvImage {
    const { image, crop } = this.source;
    if (!this.#yuvPaste) {
      const background = rgbToYuv(image);
      const size = { width: LP_OUTPUT_SIZE, height: LP_OUTPUT_SIZE };
      const paste = new FixedYuvPaste(background, size, crop.inverse, pasteMask(LP_OUTPUT_SIZE));
      this.#yuvPaste = { background, paste };
    }
    const { background, paste } = this.#yuvPaste;
    const out = { ...background, data: Uint8Array.from(background.data) };
    paste.apply(out, face);
    return out;
  }
}

/**
 * Smoothing strength 0..1 → One-Euro parameters for the head angles (§4.3). FLP's setting (min cutoff
 * 4 Hz, β 0.3) is the light end; stronger smoothing lowers the cutoff down to 0.4 Hz, which steadies a
 * still head but lags a fast turn (β lets fast motion through). The expression is never smoothed.
 */
export function smootherOptions(settings: Pick<AnimateSettings, 'smoothing' | 'fps'>) {
  const s = Math.min(1, Math.max(0, settings.smoothing));
  return { minCutoff: 4 / (1 + 9 * s), beta: 0.3, dCutoff: 1, frequency: settings.fps };
}
