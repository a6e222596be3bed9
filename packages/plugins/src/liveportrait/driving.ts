// Where the driving motion comes from: a driving video (streamed, cropped with the average face
// square of the clip) or a saved motion template. Both give one driving frame per output frame.
import { readFile } from 'node:fs/promises';
import {
  type Affine,
  affine,
  decodeFrames,
  frameImage,
  type ModelSession,
  type Point,
  type RgbImage,
  resizeImage,
  type VideoFrame,
  type VideoInfo,
} from '@visage/inference';
import { sequenceFrames } from '../frames/pipeline.ts';
import { readVideoInfo } from '../inputs.ts';
import { type InputAsset, PluginInputError } from '../types.ts';
import type { LivePortraitModels } from './acquire.ts';
import {
  cropRectFromLandmarks,
  DRIVING_CROP,
  drivingFaceCrop,
  LANDMARK_203_ANCHORS,
  largestFace,
} from './crop.ts';
import type { DrivingFrame } from './frame-pipeline.ts';
import { crop203FromBox, LANDMARK203_CROP, landmarks203 } from './landmarks.ts';
import { LP_OUTPUT_SIZE } from './networks.ts';
import { decodeMotionTemplate, type MotionTemplate, MotionTemplateError } from './template.ts';

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

/** How often the detector pre-pass looks for the driving face (per second of video), and at what size. */
const SCAN_PER_SECOND = 5;
const SCAN_MAX_SIDE = 640;

/** One frame's upright driving square, in the pre-pass's (scaled) pixels. */
interface FaceSquare {
  index: number;
  centre: readonly [number, number];
  side: number;
}

/** The 224² crop the 203-point model reads, made from earlier points (LP: scale 1.5, vy −0.1). */
const landmarkCrop = (points: readonly Point[]) =>
  cropRectFromLandmarks(points, { ...LANDMARK_203_ANCHORS, ...LANDMARK203_CROP }).matrix;

/** LP's driving square (scale 2.2, vy −0.1) around 203 points, upright. */
function squareOf(points: readonly Point[], index: number): FaceSquare {
  const { centre, side } = cropRectFromLandmarks(points, { ...LANDMARK_203_ANCHORS, ...DRIVING_CROP });
  return { index, centre, side };
}

/** 203 points of the largest face: from the detector's box, then once more from their own crop. */
async function seedLandmarks(models: LivePortraitModels, session: ModelSession, frame: RgbImage) {
  const face = await largestFace(models, frame);
  if (!face) return null;
  const first = await landmarks203(session, frame, crop203FromBox(face.box));
  return landmarks203(session, frame, landmarkCrop(first));
}

/**
 * LP's way, with its 203-point model: detect the face on the first frame, then track the points frame
 * to frame, each frame's landmark crop made from the previous frame's points. Points that collapse or
 * run off (a cut, the face leaving) are found again with the detector.
 */
async function* trackedSquares(
  models: LivePortraitModels,
  session: ModelSession,
  frames: AsyncIterable<VideoFrame>,
): AsyncGenerator<FaceSquare> {
  let points: Point[] | null = null;
  for await (const decoded of frames) {
    const frame = frameImage(decoded);
    let square: FaceSquare | null = null;
    const attempts: ('track' | 'detect')[] = points ? ['track', 'detect'] : ['detect'];
    for (const attempt of attempts) {
      try {
        points =
          attempt === 'track' && points
            ? await landmarks203(session, frame, landmarkCrop(points))
            : await seedLandmarks(models, session, frame);
        square = points ? squareOf(points, decoded.index) : null;
      } catch (error) {
        // Points with no extent (nothing like a face in the crop): detect again. Anything else is a bug.
        if (!(error instanceof RangeError && error.message.startsWith('cropRectFromLandmarks'))) throw error;
        square = null;
      }
      const size = Math.max(frame.width, frame.height);
      if (square && square.side < 4 * size && Math.hypot(...square.centre) < 4 * size) break;
      square = null;
      points = null;
    }
    yield square ?? { index: decoded.index, centre: [Number.NaN, Number.NaN], side: Number.NaN };
  }
}

/** Without the 203-point model: the detector's face square, 5 frames a second. */
async function* sampledSquares(
  models: LivePortraitModels,
  frames: AsyncIterable<VideoFrame>,
  step: number,
): AsyncGenerator<FaceSquare> {
  for await (const decoded of frames) {
    if (decoded.index % step !== 0) continue;
    const found = await drivingFaceCrop(models, frameImage(decoded));
    yield found
      ? { index: decoded.index, centre: found.crop.centre, side: found.crop.side }
      : { index: decoded.index, centre: [Number.NaN, Number.NaN], side: Number.NaN };
  }
}

/**
 * LP's driving crop: one square for the whole clip, the average of the face's crop squares over the
 * clip (upright; LP crops driving frames without rotation), so the head's own movement stays in the
 * motion and a head that drifts does not leave the crop. Found in a pre-pass over a small decode:
 * with the 203-point model installed, tracked on every frame as LP does; else detected 5 times a
 * second. The first frame must show a face (it is relative motion's reference).
 */
export async function averageDrivingCrop(
  models: LivePortraitModels,
  driving: Extract<DrivingSource, { kind: 'video' }>,
  signal: AbortSignal,
): Promise<{ matrix: Affine; side: number; samples: number; tracked: boolean }> {
  const { asset, info } = driving;
  const turned = info.rotation % 180 !== 0;
  const width = turned ? info.height : info.width;
  const scale = Math.min(1, SCAN_MAX_SIDE / Math.max(info.width, info.height));
  const small = Math.max(2, Math.round((width * scale) / 2) * 2);
  const frames = decodeFrames(asset.path, { width: small, signal });
  const tracker = models.landmark203;
  const squares = tracker
    ? trackedSquares(models, tracker, frames)
    : sampledSquares(models, frames, Math.max(1, Math.round(info.fps / SCAN_PER_SECOND)));
  const k = width / small; // back to full-size pixels
  let samples = 0;
  let cx = 0;
  let cy = 0;
  let side = 0;
  for await (const square of squares) {
    if (!Number.isFinite(square.side)) {
      if (square.index === 0) {
        throw new PluginInputError(`No face found in the first frame of the driving video "${asset.name}"`);
      }
      continue;
    }
    cx += square.centre[0] * k;
    cy += square.centre[1] * k;
    side += square.side * k;
    samples++;
  }
  if (samples === 0) throw new PluginInputError(`No face found in the driving video "${asset.name}"`);
  cx /= samples;
  cy /= samples;
  side /= samples;
  const s = LP_OUTPUT_SIZE / side;
  const half = LP_OUTPUT_SIZE / 2;
  return {
    matrix: affine(s, 0, half - s * cx, 0, s, half - s * cy),
    side,
    samples,
    tracked: tracker !== null,
  };
}

/**
 * The driving frames: a video's pictures, decoded one at a time (the animation pipeline crops them
 * and extracts their motion), or a motion template's saved frames.
 */
export function drivingFrames(driving: DrivingSource, signal: AbortSignal): AsyncIterable<DrivingFrame> {
  return driving.kind === 'video'
    ? sequenceFrames(decodeFrames(driving.asset.path, { signal }))
    : templateFrames(driving.template);
}

async function* templateFrames({ fps, frames }: MotionTemplate): AsyncGenerator<DrivingFrame> {
  for (const [index, motion] of frames.entries()) yield { index, timeMs: (index / fps) * 1000, motion };
}

/** A poster for a motion template: the first driving crop at 256². */
export function posterOf(crop: RgbImage): Promise<RgbImage> {
  return resizeImage(crop, 256, 256);
}
