// biome-ignore-all lint/style/noNonNullAssertion: point and typed-array reads are in bounds by construction
// LivePortrait's face crop (docs/models/liveportrait.md §5.2) and its paste-back mask (§6.2),
// following KwaiVGI/LivePortrait (LP) src/utils/crop.py: parse_pt2_from_pt106 / parse_pt2_from_pt203,
// parse_rect_from_landmark and _estimate_similar_transform_from_pts; and the crops of a picture
// (§5.1, §5.5): the largest face's source or driving rectangle, and how a driving picture becomes
// the motion extractor's input (a face square at 512², or the whole frame at 256²).
import {
  type Affine,
  affine,
  invertAffine,
  type Picture,
  type Point,
  type RgbImage,
  warpAffine,
} from '@visage/inference';
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

/** The largest face the detector finds in `image`, or null. */
export async function largestFace(
  models: Pick<LivePortraitModels, 'detector'>,
  image: Picture,
): Promise<FaceDetection | null> {
  const faces = await detectFaces(models.detector.kind, models.detector.session, image);
  const area = (f: FaceDetection) => (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]);
  return faces.reduce<FaceDetection | null>((best, f) => (!best || area(f) > area(best) ? f : best), null);
}

/**
 * The crop rectangle of the largest face in `image` from its 2d106det points, as LP crops a portrait
 * (§5.3), with the points; null when there is no face.
 */
export async function faceCrop(
  models: Pick<LivePortraitModels, 'detector' | 'landmark106'>,
  image: Picture,
  options: typeof SOURCE_CROP,
): Promise<{ crop: CropRect; points: Point[] } | null> {
  const face = await largestFace(models, image);
  if (!face) return null;
  const points = await landmarks106(models.landmark106, image, face.box);
  return { crop: cropRectFromLandmarks(points, { ...LANDMARK_106_ANCHORS, ...options }), points };
}

/** The driving crop rectangle of the largest face: LP's driving settings (scale 2.2, vy −0.1). */
export function drivingFaceCrop(
  models: Pick<LivePortraitModels, 'detector' | 'landmark106'>,
  frame: Picture,
) {
  return faceCrop(models, frame, DRIVING_CROP);
}

/** How a driving picture becomes the motion extractor's input: image → crop matrix, crop size, border. */
export interface DrivingCropping {
  matrix: Affine;
  size: number;
  /** Black outside the picture for a face crop (LP), edge pixels for a whole-frame resize (cv2.resize). */
  border: 'constant' | 'replicate';
}

/** A face square in a picture: its centre and side in pixels (LP's driving boxes are upright). */
export interface FaceSquare {
  centre: readonly [number, number];
  side: number;
}

/**
 * LP's driving crop (crop_image_by_bbox, flag_rot off): the upright square sampled at 512², which
 * networkInput then halves to 256² by 2×2 means, as LP's cv2.resize(512 → 256) does (§5.7). Sampled
 * straight at 256² it would sit ¼ px off and be sharper than what LP feeds the motion extractor.
 */
export function squareCropping({ centre, side }: FaceSquare): DrivingCropping {
  const s = LP_OUTPUT_SIZE / side;
  const half = LP_OUTPUT_SIZE / 2;
  return {
    matrix: affine(s, 0, half - s * centre[0], 0, s, half - s * centre[1]),
    size: LP_OUTPUT_SIZE,
    border: 'constant',
  };
}

/**
 * An uncropped (square) driving picture as LP feeds it: cv2.resize of the whole frame to 256²
 * (bilinear, pixel centres aligned: x' = (x + 0.5)·s − 0.5, edges replicated).
 */
export function wholeFrameCropping(frame: { width: number; height: number }): DrivingCropping {
  const sx = LP_INPUT_SIZE / frame.width;
  const sy = LP_INPUT_SIZE / frame.height;
  return {
    matrix: affine(sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5),
    size: LP_INPUT_SIZE,
    border: 'replicate',
  };
}

/** The driving crop of a picture (512² for a face square, 256² for a whole frame). */
export function drivingCrop(image: Picture, { matrix, size, border }: DrivingCropping): RgbImage {
  return warpAffine(image, matrix, size, size, { border, fill: 0 });
}

/** Width of the paste mask's ramp in pixels. */
export const PASTE_MASK_RAMP = 16;
const maskCache = new Map<number, Float32Array>();

/**
 * LP's src/utils/resources/mask_template.png (§6.2) as 0..1, size×size row-major. Decoded, the 512²
 * template is exactly floor(255·max(0, 1 − d/16))/255 with d the distance from the pixel index to the
 * square [16, size − 16]²: 1 inside, a 16-px linear ramp at the edges, round corners (pixel 0 is 0,
 * pixel size − 1 is 15/255). Cached per size: the same array is returned every time, do not modify it.
 */
export function pasteMask(size = 512): Float32Array {
  if (!Number.isInteger(size) || size <= 2 * PASTE_MASK_RAMP) {
    throw new RangeError(`pasteMask: bad size ${size}`);
  }
  const cached = maskCache.get(size);
  if (cached) return cached;
  const far = size - PASTE_MASK_RAMP;
  // Each index's distance from [16, size − 16] along one axis.
  const edge = new Float64Array(size);
  for (let i = 0; i < size; i++) edge[i] = Math.max(PASTE_MASK_RAMP - i, 0, i - far);
  const mask = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const dy = edge[y]!;
    const row = y * size;
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(edge[x]!, dy);
      mask[row + x] = d >= PASTE_MASK_RAMP ? 0 : Math.floor(255 * (1 - d / PASTE_MASK_RAMP)) / 255;
    }
  }
  maskCache.set(size, mask);
  return mask;
}
