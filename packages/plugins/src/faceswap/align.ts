// Five-point face alignment (insightface's `norm_crop`): a similarity transform that maps the
// detected eyes, nose and mouth corners onto a template, and the warped crop. Which template and size
// a model wants is in its catalog entry's `preprocess` (alignForModel).
import {
  type Affine,
  ARCFACE_112_TEMPLATE,
  ARCFACE_112_V1_TEMPLATE,
  ARCFACE_128_TEMPLATE,
  applyAffine,
  estimateSimilarity,
  FFHQ_512_TEMPLATE,
  type Picture,
  type Point,
  type RgbImage,
  warpAffine,
} from '@visage/inference';
import type { FaceTemplate, Preprocess } from '@visage/inference/models';
import type { FaceDetection } from '../face/types.ts';

/** Eyes (subject's right = image left, first), nose tip, mouth corners. */
export type FivePoints = [Point, Point, Point, Point, Point];

/** The templates a catalog entry may name, in pixels of a `size`² crop (docs/models/face.md §4.2). */
const TEMPLATES: Record<FaceTemplate, { points: readonly Point[]; size: number }> = {
  arcface_112: { points: ARCFACE_112_TEMPLATE, size: 112 },
  arcface_112_v1: { points: ARCFACE_112_V1_TEMPLATE, size: 112 },
  arcface_128: { points: ARCFACE_128_TEMPLATE, size: 128 },
  ffhq_512: { points: FFHQ_512_TEMPLATE, size: 512 },
};

/**
 * Half the mouth width over the distance between the eyes, from the ArcFace 112 template itself:
 * (70.7299 − 41.5493)/2 ÷ (73.5318 − 38.2946) = 0.4140.
 */
const MOUTH_HALF_WIDTH_PER_EYE_DISTANCE = (() => {
  const [eyeLeft, eyeRight, , mouthLeft, mouthRight] = ARCFACE_112_TEMPLATE as FivePoints;
  return (mouthRight[0] - mouthLeft[0]) / 2 / (eyeRight[0] - eyeLeft[0]);
})();

/**
 * Five points from a detection. BlazeFace gives a mouth centre but no corners: they are placed
 * along the eye line at the template's proportions, and `estimated` says so (for the job metadata).
 */
export function fivePoints(face: FaceDetection): { points: FivePoints; estimated: boolean } {
  const at = (name: string) => {
    const i = face.keypointNames.indexOf(name);
    const p = face.keypoints[i];
    if (i < 0 || !p) throw new Error(`The face detection has no "${name}" keypoint`);
    return p;
  };
  const rightEye = at('rightEye');
  const leftEye = at('leftEye');
  const nose = at('nose');
  if (face.keypointNames.includes('mouthRight') && face.keypointNames.includes('mouthLeft')) {
    return { points: [rightEye, leftEye, nose, at('mouthRight'), at('mouthLeft')], estimated: false };
  }
  const mouth = at('mouth');
  const hx = (leftEye[0] - rightEye[0]) * MOUTH_HALF_WIDTH_PER_EYE_DISTANCE;
  const hy = (leftEye[1] - rightEye[1]) * MOUTH_HALF_WIDTH_PER_EYE_DISTANCE;
  return {
    points: [rightEye, leftEye, nose, [mouth[0] - hx, mouth[1] - hy], [mouth[0] + hx, mouth[1] + hy]],
    estimated: true,
  };
}

export interface AlignedFace {
  crop: RgbImage;
  /** Image → crop. */
  matrix: Affine;
  /** Mean distance (crop pixels) between the mapped points and the template: how well it fits. */
  residual: number;
}

/**
 * Weights for aligning points whose mouth corners were estimated (BlazeFace): only the eyes count.
 * BlazeFace's nose and mouth keypoints are other landmarks than the template's (on astronaut.png
 * they sit 5 and 8.7 px higher at 112² once the eyes are placed), so letting them pull a
 * least-squares fit moves the eyes 3.4 px off the template; two points fix a similarity exactly.
 */
export const EYES_ONLY: readonly number[] = [1, 1, 0, 0, 0];

export interface AlignOptions {
  /** The template is given for a `templateSize`² crop (default: `size`). */
  templateSize?: number;
  /** Per-point weights of the least-squares fit (e.g. EYES_ONLY). */
  weights?: readonly number[];
  /**
   * Outside the image: 'constant' black (insightface's norm_crop, default) or 'replicate' the edge
   * (FaceFusion's warp_face_by_face_landmark_5), docs/models/face.md §4.3.
   */
  border?: 'constant' | 'replicate';
}

/** Warps the face to `size`² so its five points land on `template`. */
export function alignFace(
  image: Picture,
  points: FivePoints,
  template: readonly Point[],
  size: number,
  { templateSize = size, weights, border = 'constant' }: AlignOptions = {},
): AlignedFace {
  const scale = size / templateSize;
  const target = template.map(([x, y]) => [x * scale, y * scale] as const);
  const matrix = estimateSimilarity(points, target, weights);
  let residual = 0;
  for (let i = 0; i < points.length; i++) {
    const [x, y] = applyAffine(matrix, points[i] as Point);
    const [tx, ty] = target[i] as readonly [number, number];
    residual += Math.hypot(x - tx, y - ty) / points.length;
  }
  return { crop: warpAffine(image, matrix, size, size, { border, fill: 0 }), matrix, residual };
}

/** Warps the face onto the template and to the size a model's catalog entry names (its `preprocess`). */
export function alignForModel(
  image: Picture,
  points: FivePoints,
  preprocess: Preprocess,
  options: Pick<AlignOptions, 'weights' | 'border'> = {},
): AlignedFace {
  if (!preprocess.template) throw new Error('alignForModel: the model is not fed an aligned face');
  const template = TEMPLATES[preprocess.template];
  return alignFace(image, points, template.points, preprocess.size, {
    ...options,
    templateSize: template.size,
  });
}
