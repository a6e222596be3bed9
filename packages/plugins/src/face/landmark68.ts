// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the decode loops are in bounds (lengths checked first)
// 68-point landmarks with FaceFusion's 2DFAN4 (`2dfan4.onnx`, docs/models/face.md §3.1), used to refine a
// detector's five points: FaceFusion swaps on the 68-derived points ("5/68") when the landmark score clears
// `--face-landmarker-score` (0.5). As FaceFusion's detect_with_2dfan4: scale = 195 / max(box w, h), box
// centre → crop centre (128, 128), turned upright by the face's coarse angle (0/90/180/270), 256²;
// dark crops (mean 8-bit L* < 30) get CLAHE on L*; /255, BGR (FaceFusion's OpenCV frames), NCHW (the
// catalog entry's `preprocess`, ./models.ts). Outputs by position: [1,68,3] coordinates on the 64-grid
// and [1,68,64,64] heatmaps; score = mean of the heatmap maxima mapped [0, 0.9] → [0, 1].
import {
  type Affine,
  affine,
  applyAffine,
  clahe,
  composeAffine,
  estimateSimilarity,
  FFHQ_512_TEMPLATE,
  invertAffine,
  lab8Lightness,
  lab8ToRgb,
  type ModelSession,
  ort,
  type Picture,
  type Point,
  type RgbImage,
  rgbToLab8,
  swapRB,
  warpAffine,
} from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { FACE_MODEL_SET } from './models.ts';
import { FIVE_POINT_KEYPOINTS } from './scrfd.ts';
import type { FaceDetection } from './types.ts';

const PREPROCESS = FACE_MODEL_SET.landmarks68.preprocess;
export const FAN_SIZE = PREPROCESS.size;
const GRID = 64;
const POINTS = 68;

export interface Landmarks68 {
  /** 68 points in image pixels (iBUG 300-W order, 0-based). */
  points: [number, number][];
  /** 0..1; FaceFusion trusts the points above 0.5. */
  score: number;
}

/** A face's coarse roll, FaceFusion's snapped face angle in degrees (counter-clockwise on screen). */
export type FaceAngle = 0 | 90 | 180 | 270;

/**
 * The roll of the face at five points, snapped to 0/90/180/270 as FaceFusion's estimate_face_angle
 * snaps it (ties to the lower angle, as numpy.argmin). FaceFusion measures the jaw line (points 0 → 16)
 * of fan_68_5's estimate, which it makes from the same five points in the ffhq_512 frame; Visage takes
 * the rotation of the five-point similarity onto ffhq_512 itself (docs/models/face.md §3.1).
 */
export function faceAngle(points: readonly Point[], weights?: readonly number[]): FaceAngle {
  const m = estimateSimilarity(points, FFHQ_512_TEMPLATE, weights);
  // m maps the image onto the template; the template's x axis lies at −atan2(b, a) in the image.
  const theta = ((((-Math.atan2(m[3]!, m[0]!) * 180) / Math.PI) % 360) + 360) % 360;
  let best = 0;
  for (const angle of [90, 180, 270, 360]) if (Math.abs(angle - theta) < Math.abs(best - theta)) best = angle;
  return (best % 360) as FaceAngle;
}

/** cv2.getRotationMatrix2D((128, 128), angle, 1): turns the 256² crop by `angle` about its centre. */
function rotationAboutCentre(angle: FaceAngle): Affine {
  const rad = (angle * Math.PI) / 180;
  const a = Math.cos(rad);
  const b = Math.sin(rad);
  const c = FAN_SIZE / 2;
  return affine(a, b, (1 - a) * c - b * c, -b, a, b * c + (1 - a) * c);
}

/**
 * Image → 256² crop: uniform scale 195 / max(w, h) (max side at least 1) that puts the box centre at
 * (128, 128), then FaceFusion's turn by the face angle about the crop centre (one warp instead of its
 * two; for multiples of 90° the second is a pixel permutation).
 */
export function fanCropMatrix(box: FaceDetection['box'], angle: FaceAngle = 0): Affine {
  const [x1, y1, x2, y2] = box;
  const scale = 195 / Math.max(x2 - x1, y2 - y1, 1);
  const crop = affine(
    scale,
    0,
    (FAN_SIZE - (x1 + x2) * scale) / 2,
    0,
    scale,
    (FAN_SIZE - (y1 + y2) * scale) / 2,
  );
  return angle === 0 ? crop : composeAffine(rotationAboutCentre(angle), crop);
}

/** FaceFusion's threshold on the crop's mean 8-bit L* (0..255 scale, i.e. L* ≈ 11.8). */
const DARK_L8 = 30;

/**
 * FaceFusion's conditional_optimize_contrast: when the crop's mean 8-bit L* is below 30, CLAHE (clip
 * limit 2, 8×8 tiles) on L*. FaceFusion hands its BGR crop to cv2 as RGB, so L* is computed with red
 * and blue swapped; so here. Returns `crop` itself when it is not dark (FaceFusion also round-trips those
 * through 8-bit Lab, which moves pixels by about 0.7 levels on average; skipped, docs/models/face.md §3.1).
 */
export function optimizeDarkContrast(crop: RgbImage): RgbImage {
  const lightness = lab8Lightness(crop, 'bgr');
  let sum = 0;
  for (let p = 0; p < lightness.length; p++) sum += lightness[p]!;
  if (!(sum / lightness.length < DARK_L8)) return crop;
  const lab = rgbToLab8(swapRB(crop));
  const equalised = clahe(lightness, crop.width, crop.height, { clipLimit: 2 });
  for (let p = 0; p < equalised.length; p++) lab[p * 3] = equalised[p]!;
  const back = lab8ToRgb(lab, crop.width, crop.height);
  return swapRB(back, back);
}

/**
 * Raw outputs (coordinates [68, 3] on the 64-grid, heatmaps [68, 64, 64]) and the crop matrix →
 * image-space points and score. Pure.
 */
export function decode2dfan4(coords: Float32Array, heatmaps: Float32Array, crop: Affine): Landmarks68 {
  const plane = GRID * GRID;
  if (coords.length < POINTS * 3 || heatmaps.length < POINTS * plane) {
    throw new RangeError(
      `decode2dfan4: expected 68×3 coordinates and 68×64×64 heatmaps, got ${coords.length} and ${heatmaps.length} values`,
    );
  }
  const back = invertAffine(crop);
  const unit = FAN_SIZE / GRID;
  const points: [number, number][] = [];
  let sum = 0;
  for (let p = 0; p < POINTS; p++) {
    points.push(applyAffine(back, [coords[p * 3]! * unit, coords[p * 3 + 1]! * unit]));
    let max = -Infinity;
    for (let i = p * plane, end = i + plane; i < end; i++) if (heatmaps[i]! > max) max = heatmaps[i]!;
    sum += max;
  }
  // numpy.interp(mean, [0, 0.9], [0, 1]): linear, clamped at both ends.
  const score = Math.min(1, Math.max(0, sum / POINTS / 0.9));
  return { points, score };
}

/** The [1,3,256,256] input: the crop (turned upright by `angle`, contrast raised if dark), /255, BGR. */
export function prepare2dfan4Input(image: Picture, box: FaceDetection['box'], angle: FaceAngle = 0) {
  const matrix = fanCropMatrix(box, angle);
  const crop = optimizeDarkContrast(
    warpAffine(image, matrix, FAN_SIZE, FAN_SIZE, { border: 'constant', fill: 0 }),
  );
  return { tensor: inputValues(crop, PREPROCESS), matrix };
}

/** 68 landmarks of the face in `box` (image pixels), rolled by `angle`, and their score. */
export async function landmarks68With2dfan4(
  session: ModelSession,
  image: Picture,
  box: FaceDetection['box'],
  angle: FaceAngle = 0,
): Promise<Landmarks68> {
  const { tensor, matrix } = prepare2dfan4Input(image, box, angle);
  const inputName = session.inputs[0]?.name ?? 'input';
  const result = await session.run({
    [inputName]: new ort.Tensor('float32', tensor, inputDims(PREPROCESS)),
  });
  const [coords, heatmaps] = session.outputs.map((o) => result[o.name]);
  const shape = (t: ort.Tensor | undefined) => `${t?.type} [${t?.dims.join(', ')}]`;
  if (
    coords?.type !== 'float32' ||
    heatmaps?.type !== 'float32' ||
    coords.dims.join() !== '1,68,3' ||
    heatmaps.dims.join() !== '1,68,64,64'
  ) {
    throw new Error(
      `${session.id}: expected outputs float32 [1, 68, 3] and [1, 68, 64, 64], got ${shape(coords)} and ${shape(heatmaps)}`,
    );
  }
  return decode2dfan4(coords.data as Float32Array, heatmaps.data as Float32Array, matrix);
}

const mean = (points: readonly (readonly [number, number])[], from: number, to: number): [number, number] => {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += points[i]![0];
    y += points[i]![1];
  }
  return [x / (to - from + 1), y / (to - from + 1)];
};

/**
 * 68 → 5 (FaceFusion `convert_to_face_landmark_5`): eyes = means of 36–41 and 42–47, nose tip 30,
 * mouth corners 48 and 54, in {@link FIVE_POINT_KEYPOINTS} order.
 */
export function landmarks68To5(points68: readonly (readonly [number, number])[]): [number, number][] {
  if (points68.length !== POINTS)
    throw new RangeError(`landmarks68To5: expected 68 points, got ${points68.length}`);
  const at = (i: number): [number, number] => [points68[i]![0], points68[i]![1]];
  return [mean(points68, 36, 41), mean(points68, 42, 47), at(30), at(48), at(54)];
}

/** The detection with its five points replaced by the 68-derived ones when `score` > `threshold`; else `face` itself. */
export function refineWithLandmarks(
  face: FaceDetection,
  points68: readonly (readonly [number, number])[],
  score: number,
  threshold = 0.5,
): FaceDetection {
  if (!(score > threshold)) return face;
  return { ...face, keypoints: landmarks68To5(points68), keypointNames: FIVE_POINT_KEYPOINTS };
}
