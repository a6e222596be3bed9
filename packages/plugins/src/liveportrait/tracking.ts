// Following the driving face from picture to picture as LP's Cropper does (crop_driving_video,
// calc_lmks_from_cropped_video; FasterLivePortrait's realtime run): 2d106det's points seed the 203-point
// model on the first picture, then each picture's 203 points come from a crop of the previous one's.
// From the points: LP's upright driving square and the eye/lip ratios of retargeting
// (docs/models/liveportrait.md §2.3, §3.8, §5.5, §5.6).
import type { ModelSession, Picture, Point } from '@visage/inference';
import type { LivePortraitModels } from './acquire.ts';
import {
  cropRectFromLandmarks,
  DRIVING_CROP,
  drivingFaceCrop,
  type FaceSquare,
  LANDMARK_106_ANCHORS,
  LANDMARK_203_ANCHORS,
  largestFace,
} from './crop.ts';
import { LANDMARK203_CROP, landmarks106, landmarks203 } from './landmarks.ts';
import { eyeCloseRatios, lipCloseRatio } from './motion.ts';

/** The driving face's eye-open ratios (left, right) and lip-open ratio, from its 203 points. */
export interface DrivingRatios {
  eyes: [number, number];
  lip: number;
}

/** Where the driving face is in one picture: LP's upright driving square, and its ratios when tracked. */
export interface FoundFace {
  square: FaceSquare;
  ratios: DrivingRatios | null;
}

/** The 224² crop the 203-point model reads, around earlier points (LP crop_image: scale 1.5, vy −0.1, rotated). */
const landmarkCrop = (points: readonly Point[], anchors = LANDMARK_203_ANCHORS) =>
  cropRectFromLandmarks(points, { ...anchors, ...LANDMARK203_CROP }).matrix;

/** LP's driving box (parse_bbox_from_landmark: scale 2.2, vy −0.1) around 203 points, upright. */
function drivingSquare(points: readonly Point[]): FaceSquare {
  const { centre, side } = cropRectFromLandmarks(points, { ...LANDMARK_203_ANCHORS, ...DRIVING_CROP });
  return { centre, side };
}

/**
 * The 203-point tracker of one driving sequence. Visage also finds the face again when the points
 * collapse or run off (a cut, the face leaving); LP never re-detects once tracking has started.
 */
export class DrivingFaceTracker {
  #points: Point[] | null = null;

  constructor(
    private readonly models: Pick<LivePortraitModels, 'detector' | 'landmark106'>,
    private readonly session: ModelSession,
  ) {}

  /** The face in the next picture of the sequence, or null when none is found. */
  async next(frame: Picture): Promise<FoundFace | null> {
    const attempts = this.#points ? (['track', 'detect'] as const) : (['detect'] as const);
    for (const attempt of attempts) {
      const previous = this.#points;
      this.#points = null;
      try {
        const points =
          attempt === 'track' && previous
            ? await landmarks203(this.session, frame, landmarkCrop(previous))
            : await this.#seed(frame);
        if (!points) continue;
        const square = drivingSquare(points);
        const limit = 4 * Math.max(frame.width, frame.height);
        if (!(square.side < limit && Math.hypot(...square.centre) < limit)) continue;
        this.#points = points;
        return { square, ratios: { eyes: eyeCloseRatios(points), lip: lipCloseRatio(points) } };
      } catch (error) {
        // Points with no extent (nothing like a face in the crop): detect again. Anything else is a bug.
        if (!(error instanceof RangeError && error.message.startsWith('cropRectFromLandmarks'))) throw error;
      }
    }
    return null;
  }

  /** LP's first picture: the largest face's 2d106det points, then the 203 points from their crop. */
  async #seed(frame: Picture): Promise<Point[] | null> {
    const face = await largestFace(this.models, frame);
    if (!face) return null;
    const points106 = await landmarks106(this.models.landmark106, frame, face.box);
    return landmarks203(this.session, frame, landmarkCrop(points106, LANDMARK_106_ANCHORS));
  }
}

/**
 * Finds the driving face in pictures of one sequence: tracked with the 203-point model when it is
 * installed (square and ratios), else the detector and 2d106det on each picture (square only).
 */
export function drivingFaceFinder(
  models: Pick<LivePortraitModels, 'detector' | 'landmark106' | 'landmark203'>,
): (frame: Picture) => Promise<FoundFace | null> {
  if (models.landmark203) {
    const tracker = new DrivingFaceTracker(models, models.landmark203);
    return (frame) => tracker.next(frame);
  }
  return async (frame) => {
    const found = await drivingFaceCrop(models, frame);
    return found ? { square: { centre: found.crop.centre, side: found.crop.side }, ratios: null } : null;
  };
}
