// The faces of a face swap's target, for the studio's face map (docs/models/face.md §8.5): the faces
// of the target image, or of one frame of a target video, each with a small square thumbnail the
// user picks it by. The boxes are the ones the job's own detection finds on the same picture, so the
// job matches each picked box to its face by overlap.
import { affine, encodeImage, type RgbImage, resizeImage, warpAffine } from '@visage/inference';
import { acquireDetector, detectFaces } from '../face/detect.ts';
import { isImage, isVideo, readImage, readVideoInfo } from '../inputs.ts';
import { type Acquire, LeaseSet } from '../leases.ts';
import { type InputAsset, PluginInputError } from '../types.ts';
import { decodeFrameAt } from './run-video.ts';

/** Side of a face thumbnail (px). */
export const THUMBNAIL_SIZE = 112;
/** Room around the face box on each side, as a fraction of the box's longer side. */
export const THUMBNAIL_MARGIN = 0.25;
/** The job's default `detectorScore` (schema.ts), so the studio lists the faces a default job sees. */
export const TARGET_FACES_SCORE = 0.5;
/** The crop is cut at most this many times the thumbnail's side before the Lanczos downscale. */
const CROP_OVERSAMPLE = 4;

export interface TargetFace {
  /** left, top, right, bottom in the picture's pixels, rounded (what a face map entry holds). */
  box: [number, number, number, number];
  score: number;
  /** JPEG, THUMBNAIL_SIZE² : a square around the box with THUMBNAIL_MARGIN on each side. */
  thumbnail: Uint8Array;
}

export interface TargetFaces {
  width: number;
  height: number;
  /** The video frame the faces are on; null for an image. */
  frame: number | null;
  /** Videos: how many frames and at what rate; null for an image. */
  frameCount: number | null;
  fps: number | null;
  /** Left to right (by the box's centre). */
  faces: TargetFace[];
}

export interface TargetFacesOptions {
  /** Videos: the frame to look at (default 0). */
  frame?: number;
  signal?: AbortSignal;
}

/** The faces of `asset` (an image, or frame `options.frame` of a video) as the "auto" detector finds them. */
export async function findTargetFaces(
  acquire: Acquire,
  asset: InputAsset,
  options: TargetFacesOptions = {},
): Promise<TargetFaces> {
  const frame = options.frame ?? 0;
  if (!Number.isInteger(frame) || frame < 0) {
    throw new PluginInputError(`The frame must be a whole number from 0 (got ${frame})`);
  }
  const signal = options.signal ?? new AbortController().signal;
  // Read the picture before loading a model: a bad file fails at once.
  let picture: RgbImage;
  let video: { frame: number; frameCount: number; fps: number } | null = null;
  if (isImage(asset)) {
    if (frame !== 0) {
      throw new PluginInputError(`The target "${asset.name}" is an image: it has no frame ${frame}`);
    }
    picture = await readImage(asset, 'target image');
  } else if (isVideo(asset)) {
    const info = await readVideoInfo(asset, 'target video');
    if (frame >= info.frameCount) {
      throw new PluginInputError(
        `Frame ${frame} is past the end of "${asset.name}" (${info.frameCount} frames: 0 to ${info.frameCount - 1})`,
      );
    }
    picture = await decodeFrameAt(asset, info, frame, signal);
    video = { frame, frameCount: info.frameCount, fps: info.fps };
  } else {
    throw new PluginInputError(
      `The target "${asset.name}" must be an image or a video (it is ${asset.mime})`,
    );
  }

  const leases = new LeaseSet();
  let detections: Awaited<ReturnType<typeof detectFaces>>;
  try {
    const detector = await acquireDetector(leases, acquire, 'auto');
    detections = await detectFaces(detector.kind, detector.session, picture, {
      scoreThreshold: TARGET_FACES_SCORE,
    });
  } finally {
    leases.release();
  }
  const centre = (box: readonly number[]) => ((box[0] ?? 0) + (box[2] ?? 0)) / 2;
  const sorted = [...detections].sort((a, b) => centre(a.box) - centre(b.box));
  const faces: TargetFace[] = [];
  for (const detection of sorted) {
    signal.throwIfAborted();
    faces.push({
      box: detection.box.map(Math.round) as TargetFace['box'],
      score: detection.score,
      thumbnail: await faceThumbnail(picture, detection.box),
    });
  }
  return {
    width: picture.width,
    height: picture.height,
    frame: video?.frame ?? null,
    frameCount: video?.frameCount ?? null,
    fps: video?.fps ?? null,
    faces,
  };
}

/**
 * A THUMBNAIL_SIZE² JPEG of the square centred on `box` whose side is the box's longer side plus
 * THUMBNAIL_MARGIN on each side; outside the picture is black.
 */
export async function faceThumbnail(
  picture: RgbImage,
  box: readonly [number, number, number, number],
): Promise<Uint8Array> {
  const [x1, y1, x2, y2] = box;
  const side = Math.max(x2 - x1, y2 - y1, 1) * (1 + 2 * THUMBNAIL_MARGIN);
  // Cut the square at no more than CROP_OVERSAMPLE× the thumbnail (a huge face costs no huge crop),
  // then let Lanczos do the final downscale.
  const cut = Math.max(THUMBNAIL_SIZE, Math.min(Math.round(side), CROP_OVERSAMPLE * THUMBNAIL_SIZE));
  const scale = cut / side;
  // Source → crop: the square's top-left corner goes to (0, 0).
  const left = (x1 + x2) / 2 - side / 2;
  const top = (y1 + y2) / 2 - side / 2;
  const m = affine(scale, 0, -left * scale, 0, scale, -top * scale);
  const crop = warpAffine(picture, m, cut, cut, { fill: 0 });
  const small = cut === THUMBNAIL_SIZE ? crop : await resizeImage(crop, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  return encodeImage(small, 'jpeg', 85);
}
