// biome-ignore-all lint/style/noNonNullAssertion: point and typed-array reads are in bounds by construction
// LivePortrait's face crop (docs/models/liveportrait.md §5.2) and its paste-back mask (§6.2),
// following KwaiVGI/LivePortrait (LP) src/utils/crop.py: parse_pt2_from_pt106 / parse_pt2_from_pt5,
// parse_rect_from_landmark and _estimate_similar_transform_from_pts; and the crops of a picture
// (§5.1): the largest face's source or driving square, the centred square, the motion extractor's
// sampling matrix.
import { type Affine, affine, invertAffine, type Point, type RgbImage } from '@visage/inference';
import { detectFaces } from '../face/detect.ts';
import type { FaceDetection } from '../face/types.ts';
import type { LivePortraitModels } from './acquire.ts';
import { landmarks106 } from './landmarks.ts';
import { LP_INPUT_SIZE, LP_OUTPUT_SIZE } from './networks.ts';

/** A crop anchor: a point given directly, or the mean of some landmarks picked by index. */
export type AnchorRef = Point | { readonly indices: readonly number[] };

/** The two eye centres and the lip centre that fix the crop's orientation (uy = eyes' midpoint → lip). */
export interface CropAnchors {
  /** Image-left eye, image-right eye. Only their midpoint matters, so the order does not. */
  readonly eyes: readonly [AnchorRef, AnchorRef];
  readonly lip: AnchorRef;
}

export interface CropOptions extends CropAnchors {
  /** Side of the square around the landmarks, as a multiple of their extent (LP source 2.3, driving 2.2). */
  scale?: number;
  /** Shift along the face's x axis, as a fraction of the final side (LP 0). */
  vx?: number;
  /** Shift along the face's eye→lip axis, as a fraction of the final side (LP source −0.125 = up, driving −0.1). */
  vy?: number;
  /** Output crop size in pixels (LP 512). */
  size?: number;
}

export interface CropRect {
  /** Image → crop similarity (LP M_o2c). */
  matrix: Affine;
  /** Crop → image (LP M_c2o), the matrix for paste-back. */
  inverse: Affine;
  /** Centre of the square in image pixels; the matrix sends it to (size/2, size/2). */
  centre: Point;
  /** Side of the square in image pixels. */
  side: number;
  /**
   * Radians, atan2(ux.y, ux.x) of the face's x axis in image coordinates (y down): positive when the face
   * is turned clockwise on screen. The crop undoes it.
   */
  angle: number;
}

/** Anchors for InsightFace 2d106det landmarks, as LP parse_pt2_from_pt106. */
export const LANDMARK_106_ANCHORS: CropAnchors = Object.freeze({
  eyes: Object.freeze([
    Object.freeze({ indices: Object.freeze([33, 35, 40, 39]) }),
    Object.freeze({ indices: Object.freeze([87, 89, 94, 93]) }),
  ]) as readonly [AnchorRef, AnchorRef],
  lip: Object.freeze({ indices: Object.freeze([52, 61]) }),
});

/** Anchors for LP's own 203-point landmarks, as LP parse_pt2_from_pt203 (used when tracking a video). */
export const LANDMARK_203_ANCHORS: CropAnchors = Object.freeze({
  eyes: Object.freeze([
    Object.freeze({ indices: Object.freeze([0, 6, 12, 18]) }),
    Object.freeze({ indices: Object.freeze([24, 30, 36, 42]) }),
  ]) as readonly [AnchorRef, AnchorRef],
  lip: Object.freeze({ indices: Object.freeze([48, 66]) }),
});

/**
 * Anchors from plain index groups ({ eyes: [[…], […]], lip: […] }, every entry a landmark index). Plain
 * arrays are not accepted by cropRectFromLandmarks itself because a 2-index group looks like a Point.
 */
export function indexAnchors(groups: {
  readonly eyes: readonly [readonly number[], readonly number[]];
  readonly lip: readonly number[];
}): CropAnchors {
  return {
    eyes: [{ indices: groups.eyes[0] }, { indices: groups.eyes[1] }],
    lip: { indices: groups.lip },
  };
}

/**
 * Anchors from a detector's five keypoints (left eye, right eye, nose, left mouth corner, right mouth
 * corner — SCRFD / YOLOFace order), as LP parse_pt2_from_pt5: the eyes directly, the lip centre as the
 * mean of the mouth corners. Pass the keypoints and the box corners as `points` so the square covers
 * the whole detected face.
 */
export function fivePointAnchors(keypoints: readonly Point[]): CropAnchors {
  if (keypoints.length < 5)
    throw new RangeError(`fivePointAnchors: needs 5 keypoints, got ${keypoints.length}`);
  const [le, re, , lm, rm] = keypoints as readonly [Point, Point, Point, Point, Point];
  return { eyes: [le, re], lip: [(lm[0] + rm[0]) / 2, (lm[1] + rm[1]) / 2] };
}

function resolve(points: readonly Point[], ref: AnchorRef): [number, number] {
  if ('indices' in ref) {
    if (ref.indices.length === 0) throw new RangeError('cropRectFromLandmarks: an anchor has no indices');
    let x = 0;
    let y = 0;
    for (const i of ref.indices) {
      const p = points[i];
      if (!p)
        throw new RangeError(`cropRectFromLandmarks: landmark ${i} is missing (${points.length} given)`);
      x += p[0];
      y += p[1];
    }
    return [x / ref.indices.length, y / ref.indices.length];
  }
  return [ref[0], ref[1]];
}

/**
 * The rotated square crop of LP parse_rect_from_landmark + _estimate_similar_transform_from_pts
 * (flag_do_rot on, need_square on):
 * 1. e = midpoint of the two eye anchors, l = lip anchor; uy = (l − e)/|l − e| (uy = (0, 1) when
 *    |l − e| ≤ 1e-3); ux = (uy.y, −uy.x); θ = atan2(ux.y, ux.x).
 * 2. c₀ = mean of all `points`; each point is expressed in the face frame, r = ((p − c₀)·ux, (p − c₀)·uy);
 *    their bounding box [lt, rb] there; c₁ = (lt + rb)/2; side = max(rb − lt)·scale.
 * 3. centre = c₀ + ux·c₁.x + uy·c₁.y (the box centre rotated back), then
 *    centre += ux·vx·side + uy·vy·side (after the ×scale, as LP).
 * 4. s = size/side; M_o2c = [[s·cosθ, s·sinθ, size/2 − s(cosθ·cx + sinθ·cy)],
 *                             [−s·sinθ, s·cosθ, size/2 − s(−sinθ·cx + cosθ·cy)]].
 * All of `points` count for the box (LP uses every landmark), the anchors only for the orientation.
 */
export function cropRectFromLandmarks(points: readonly Point[], options: CropOptions): CropRect {
  const { scale = 2.3, vx = 0, vy = -0.125, size = 512 } = options;
  if (points.length === 0) throw new RangeError('cropRectFromLandmarks: no points');
  if (!(scale > 0) || !(size > 0)) throw new RangeError('cropRectFromLandmarks: scale and size must be > 0');
  const [e0x, e0y] = resolve(points, options.eyes[0]);
  const [e1x, e1y] = resolve(points, options.eyes[1]);
  const [lx, ly] = resolve(points, options.lip);
  let uyx = lx - (e0x + e1x) / 2;
  let uyy = ly - (e0y + e1y) / 2;
  const length = Math.hypot(uyx, uyy);
  if (!Number.isFinite(length)) throw new RangeError('cropRectFromLandmarks: anchors are not finite');
  if (length <= 1e-3) {
    uyx = 0;
    uyy = 1;
  } else {
    uyx /= length;
    uyy /= length;
  }
  const uxx = uyy;
  const uxy = -uyx;
  const angle = Math.atan2(uxy, uxx) + 0; // + 0 turns atan2's −0 (ux = (1, −0) for an upright face) into 0

  let c0x = 0;
  let c0y = 0;
  for (const p of points) {
    c0x += p[0];
    c0y += p[1];
  }
  c0x /= points.length;
  c0y /= points.length;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    const dx = p[0] - c0x;
    const dy = p[1] - c0y;
    const rx = dx * uxx + dy * uxy;
    const ry = dx * uyx + dy * uyy;
    if (rx < minX) minX = rx;
    if (rx > maxX) maxX = rx;
    if (ry < minY) minY = ry;
    if (ry > maxY) maxY = ry;
  }
  if (!Number.isFinite(minX + maxX + minY + maxY))
    throw new RangeError('cropRectFromLandmarks: points are not finite');
  const side = Math.max(maxX - minX, maxY - minY) * scale;
  if (!(side > 0)) throw new RangeError('cropRectFromLandmarks: the points have no extent');
  const c1x = (minX + maxX) / 2;
  const c1y = (minY + maxY) / 2;
  const cx = c0x + uxx * c1x + uyx * c1y + uxx * vx * side + uyx * vy * side;
  const cy = c0y + uxy * c1x + uyy * c1y + uxy * vx * side + uyy * vy * side;

  const s = size / side;
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const half = size / 2;
  const matrix = affine(
    s * cos,
    s * sin,
    half - s * (cos * cx + sin * cy),
    -s * sin,
    s * cos,
    half - s * (-sin * cx + cos * cy),
  );
  return { matrix, inverse: invertAffine(matrix), centre: [cx, cy], side, angle };
}

/** LP's crop settings: source and driving video (§5.1). */
export const SOURCE_CROP = { scale: 2.3, vx: 0, vy: -0.125, size: LP_OUTPUT_SIZE };
export const DRIVING_CROP = { scale: 2.2, vx: 0, vy: -0.1, size: LP_OUTPUT_SIZE };

/** A face's crop anchors from a detector: eyes and mouth (BlazeFace's centre, or the two corners). */
function detectorAnchors(face: FaceDetection): CropAnchors {
  const at = (name: string) => face.keypoints[face.keypointNames.indexOf(name)];
  const mouth = at('mouth');
  const [rightEye, leftEye] = [at('rightEye'), at('leftEye')];
  if (mouth && rightEye && leftEye) return { eyes: [rightEye, leftEye], lip: mouth };
  return fivePointAnchors(face.keypoints);
}

/** The largest face the detector finds in `image`, or null. */
export async function largestFace(
  models: Pick<LivePortraitModels, 'detector'>,
  image: RgbImage,
): Promise<FaceDetection | null> {
  const faces = await detectFaces(models.detector.kind, models.detector.session, image);
  const area = (f: FaceDetection) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);
  return faces.reduce<FaceDetection | null>((best, f) => (!best || area(f) > area(best) ? f : best), null);
}

/** The crop rectangle of the largest face in `image`, or null when there is none. */
export async function faceCrop(
  models: Pick<LivePortraitModels, 'detector' | 'landmark106'>,
  image: RgbImage,
  options: typeof SOURCE_CROP,
): Promise<{ crop: CropRect; landmarks: '2d106det' | 'detector' } | null> {
  const face = await largestFace(models, image);
  if (!face) return null;
  if (models.landmark106) {
    const points = await landmarks106(models.landmark106, image, face.box);
    return {
      crop: cropRectFromLandmarks(points, { ...LANDMARK_106_ANCHORS, ...options }),
      landmarks: '2d106det',
    };
  }
  // The box corners stand in for the face contour the 106 points would give.
  const [x1, y1, x2, y2] = face.box;
  const points: Point[] = [...face.keypoints, [x1, y1], [x2, y1], [x1, y2], [x2, y2]];
  return {
    crop: cropRectFromLandmarks(points, { ...detectorAnchors(face), ...options }),
    landmarks: 'detector',
  };
}

/** The driving crop for a video: LP's driving settings (scale 2.2, vy −0.1). */
export function drivingFaceCrop(
  models: Pick<LivePortraitModels, 'detector' | 'landmark106'>,
  frame: RgbImage,
) {
  return faceCrop(models, frame, DRIVING_CROP);
}

/**
 * The driving crop's image → crop matrix at the size the motion extractor needs: 256² straight away
 * when the face square is at most 512 px in the frame (sampling at 512 and halving would add
 * nothing), else 512² to be area-averaged down (no aliasing from big frames).
 */
export function drivingCropMatrix(crop: { matrix: Affine; side: number }): { matrix: Affine; size: number } {
  if (crop.side > LP_OUTPUT_SIZE) return { matrix: crop.matrix, size: LP_OUTPUT_SIZE };
  const half = LP_INPUT_SIZE / LP_OUTPUT_SIZE;
  const m = crop.matrix;
  return {
    matrix: affine(m[0]! * half, m[1]! * half, m[2]! * half, m[3]! * half, m[4]! * half, m[5]! * half),
    size: LP_INPUT_SIZE,
  };
}

/** The centred square of a frame (already-cropped driving videos), as a crop rectangle. */
export function centreSquare(frame: RgbImage, size = LP_OUTPUT_SIZE): { matrix: Affine; side: number } {
  const side = Math.min(frame.width, frame.height);
  const s = size / side;
  return {
    matrix: affine(s, 0, -s * ((frame.width - side) / 2), 0, s, -s * ((frame.height - side) / 2)),
    side,
  };
}

/** Width of the paste mask's linear ramp in pixels. */
export const PASTE_MASK_RAMP = 16;
const maskCache = new Map<number, Float32Array>();

/**
 * Procedural stand-in for LP's src/utils/resources/mask_template.png (size×size, row-major, 0..1):
 * m(x, y) = r(x)·r(y), r(i) = min(1, d/16) with d = min(i, size − 1 − i) the pixel's distance in whole
 * pixels from the nearest edge pixel. So the outermost pixels are 0, the pixel 8 in is 0.5, and from 16 in
 * it is 1. The product (not the minimum) makes the corners darker and their iso-lines rounded, as in
 * LP's template (a minimum would give square corners). Cached per size: the same array is returned
 * on every call, so do not modify it.
 */
export function pasteMask(size = 512): Float32Array {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`pasteMask: bad size ${size}`);
  const cached = maskCache.get(size);
  if (cached) return cached;
  const ramp = new Float32Array(size);
  for (let i = 0; i < size; i++) ramp[i] = Math.min(1, Math.min(i, size - 1 - i) / PASTE_MASK_RAMP);
  const mask = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const ry = ramp[y]!;
    const row = y * size;
    for (let x = 0; x < size; x++) mask[row + x] = ry * ramp[x]!;
  }
  maskCache.set(size, mask);
  return mask;
}
