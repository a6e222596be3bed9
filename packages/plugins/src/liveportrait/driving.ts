// Where the driving motion comes from: a driving video (streamed; cropped with the average face square
// of the clip unless it is used whole, its face tracked for the eye/lip ratios) or a saved motion
// template. Both give one driving frame per output frame.
import { readFile } from 'node:fs/promises';
import { decodeFrames, framePicture, type RgbImage, resizeImage, type VideoInfo } from '@visage/inference';
import { type SequenceFrame, sequenceFrames } from '../frames/pipeline.ts';
import { readVideoInfo } from '../inputs.ts';
import { type InputAsset, PluginInputError } from '../types.ts';
import type { LivePortraitModels } from './acquire.ts';
import { type FaceSquare, squareCropping, wholeFrameCropping } from './crop.ts';
import type { DrivingFrame, DrivingLocation } from './frame-pipeline.ts';
import { decodeMotionTemplate, type MotionTemplate, MotionTemplateError } from './template.ts';
import { drivingFaceFinder } from './tracking.ts';

/** Longest driving input accepted, from VISAGE_MAX_DRIVING_SECONDS (default 10 minutes). */
export function maxDrivingMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env.VISAGE_MAX_DRIVING_SECONDS;
  if (raw === undefined || raw === '') return 600_000;
  const seconds = Number(raw);
  if (!(Number.isFinite(seconds) && seconds > 0)) {
    throw new Error(`VISAGE_MAX_DRIVING_SECONDS must be a positive number of seconds (got "${raw}")`);
  }
  return seconds * 1000;
}

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

function checkLength(durationMs: number, what: string, env?: Record<string, string | undefined>): void {
  const limit = maxDrivingMs(env);
  if (durationMs > limit) {
    throw new PluginInputError(
      `${what} is ${clock(durationMs)} long; the limit is ${clock(limit)} (VISAGE_MAX_DRIVING_SECONDS)`,
    );
  }
}

export type DrivingSource =
  | { kind: 'video'; asset: InputAsset; info: VideoInfo }
  | { kind: 'template'; asset: InputAsset; template: MotionTemplate };

/** Opens the driving input: probes a video (and checks its length) or reads a motion template. */
export async function openDriving(asset: InputAsset, expect: 'video' | 'template'): Promise<DrivingSource> {
  if (expect === 'video') {
    const info = await readVideoInfo(asset, 'driving video');
    checkLength(info.durationMs, `The driving video "${asset.name}"`);
    return { kind: 'video', asset, info };
  }
  try {
    const template = decodeMotionTemplate(await readFile(asset.path), `"${asset.name}"`);
    checkLength((template.frames.length / template.fps) * 1000, `The motion template "${asset.name}"`);
    return { kind: 'template', asset, template };
  } catch (error) {
    if (error instanceof MotionTemplateError) throw new PluginInputError(error.message, { cause: error });
    throw error;
  }
}

export function frameCountOf(driving: DrivingSource): number {
  return driving.kind === 'video' ? driving.info.frameCount : driving.template.frames.length;
}

export function fpsOf(driving: DrivingSource): number {
  return driving.kind === 'video' ? driving.info.fps : driving.template.fps;
}

/** Without the 203-point model the pre-pass looks for the driving face this often (per second of video). */
const SCAN_PER_SECOND = 5;

/** Whether LP crops a driving video: when asked, or when the video is not square (§5.5). */
export function cropsDriving(driving: DrivingSource, cropDriving: boolean): boolean {
  return driving.kind === 'video' && (cropDriving || driving.info.width !== driving.info.height);
}

/** What the pre-pass over a driving video found. */
export interface DrivingTrack {
  /** The face square for every frame (the clip's average), or null when the video is used whole. */
  square: FaceSquare | null;
  /** Per frame: left eye, right eye, lip ratio (NaN where no face was found); null when not tracked. */
  ratios: Float32Array | null;
  /** Frames the face was found in. */
  samples: number;
  /** True when the 203-point model found the face (tracked on every frame looked at). */
  tracked: boolean;
}

/**
 * LP's pre-pass over a driving video (crop_driving_video / calc_lmks_from_cropped_video): the face is
 * tracked on every frame with the 203-point model when it is installed, which gives each frame's
 * eye/lip ratios; else the detector looks 5 times a second. With `crop`, the face squares of the clip
 * are averaged into one upright square for every frame (LP crops driving frames without rotation), so
 * the head's own movement stays in the motion and a head that drifts does not leave the crop. The
 * first frame must show a face (it is relative motion's reference; LP stops there too). When neither
 * the square nor the `ratios` are wanted, only the first frame is looked at (LP tracks the whole clip
 * anyway, for its motion template).
 */
export async function trackDrivingVideo(
  models: LivePortraitModels,
  driving: Extract<DrivingSource, { kind: 'video' }>,
  wanted: { crop: boolean; ratios: boolean },
  signal: AbortSignal,
): Promise<DrivingTrack> {
  const { asset, info } = driving;
  const tracked = models.landmark203 !== null;
  const whole = wanted.crop || (wanted.ratios && tracked);
  const find = drivingFaceFinder(models);
  const step = tracked ? 1 : Math.max(1, Math.round(info.fps / SCAN_PER_SECOND));
  const ratios: number[] = [];
  let samples = 0;
  let cx = 0;
  let cy = 0;
  let side = 0;
  // yuv420p: the detector's and the landmark models' crops are converted where they are sampled.
  for await (const decoded of decodeFrames(asset.path, { signal, pixelFormat: 'yuv420p', info })) {
    if (decoded.index > 0 && !whole) break; // breaking out stops ffmpeg
    if (decoded.index % step !== 0) continue;
    const found = await find(framePicture(decoded));
    if (!found && decoded.index === 0) {
      throw new PluginInputError(`No face found in the first frame of the driving video "${asset.name}"`);
    }
    const r = found?.ratios;
    if (tracked) ratios.push(r?.eyes[0] ?? Number.NaN, r?.eyes[1] ?? Number.NaN, r?.lip ?? Number.NaN);
    if (!found) continue;
    cx += found.square.centre[0];
    cy += found.square.centre[1];
    side += found.square.side;
    samples++;
  }
  if (samples === 0) throw new PluginInputError(`No face found in the driving video "${asset.name}"`);
  return {
    square: wanted.crop ? { centre: [cx / samples, cy / samples], side: side / samples } : null,
    ratios: tracked && whole ? Float32Array.from(ratios) : null,
    samples,
    tracked,
  };
}

/** Each driving frame's crop (the clip's square, or the whole frame) and its tracked ratios. */
export function trackedLocation(track: DrivingTrack): (frame: SequenceFrame) => DrivingLocation {
  const square = track.square ? squareCropping(track.square) : null;
  return ({ index, image }) => {
    const r = track.ratios;
    const lip = r?.[3 * index + 2];
    return {
      cropping: square ?? wholeFrameCropping(image),
      ratios:
        r && lip !== undefined
          ? { eyes: [r[3 * index] ?? Number.NaN, r[3 * index + 1] ?? Number.NaN], lip }
          : null,
    };
  };
}

/**
 * The driving frames: a video's pictures, decoded one at a time (the animation pipeline crops them
 * and extracts their motion), or a motion template's saved frames.
 */
export function drivingFrames(driving: DrivingSource, signal: AbortSignal): AsyncIterable<DrivingFrame> {
  return driving.kind === 'video'
    ? // yuv420p: only the driving crop is converted to RGB, where it is sampled (docs/video.md §2).
      sequenceFrames(
        decodeFrames(driving.asset.path, {
          signal,
          pixelFormat: 'yuv420p',
          decoder: 'auto',
          info: driving.info,
        }),
      )
    : templateFrames(driving.template);
}

async function* templateFrames({ fps, frames }: MotionTemplate): AsyncGenerator<DrivingFrame> {
  for (const [index, motion] of frames.entries()) yield { index, timeMs: (index / fps) * 1000, motion };
}

/** A poster for a motion template: the first driving crop at 256². */
export function posterOf(crop: RgbImage): Promise<RgbImage> {
  return resizeImage(crop, 256, 256);
}
