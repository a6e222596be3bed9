// biome-ignore-all lint/style/noNonNullAssertion: typed-array and point reads are in bounds (lengths checked first)
// The two landmark models of LP's cropper (docs/models/liveportrait.md §2.3, §5; docs/models/face.md §3.4):
//
// - InsightFace 2d106det (`face_2dpose_106_static.onnx`, catalog id `2d106det`): input `data`
//   [1,3,192,192], RGB 0..255, no normalisation; output `fc1` [1,212] = 106 × (x, y) in [−1, 1],
//   (v + 1)·96 → crop pixels. Crop (insightface python-package model_zoo/landmark.py `Landmark.get`):
//   centre = bbox centre, `_scale = 192 / (max(w, h)·1.5)`, `rotate = 0`; face_align.transform builds
//   scale → translate(−centre·s) → rotate(0) → translate(+96, +96), i.e. the box centre lands on (96, 96),
//   and cv2.warpAffine with black borders. insightface gets a BGR frame and uses blobFromImage(swapRB),
//   so the network sees RGB; for 2d106det the graph itself starts with the mean/std nodes, so the
//   Python side feeds mean 0 / std 1 (raw 0..255). The points go back through the inverse matrix.
//
// - LivePortrait's own landmark.onnx (catalog id `liveportrait_landmark`): input `input`
//   [1,3,224,224], RGB /255; outputs `output` [1,214], `853` [1,262], `856` [1,406]. LP's
//   src/utils/human_landmark_runner.py `LandmarkRunner.run` takes `out_lst[2]` (the third output),
//   reshapes it to 203 × 2, multiplies by dsize = 224 (the values are 0..1 of the crop) and maps them
//   to the image with the crop's M_c2o. Its crop is `crop_image(img_rgb, lmk, dsize=224, scale=1.5,
//   vy_ratio=-0.1)` from src/utils/crop.py: `_estimate_similar_transform_from_pts` →
//   `parse_rect_from_landmark` on the seed points (the same rectangle as the 512 source crop, with
//   these parameters; vx is always 0 because crop_image does not forward vx_ratio; flag_do_rot
//   defaults to True, so the crop is rotated to the eye→lip axis; use_lip True). cv2.warpAffine with
//   INTER_LINEAR and the default constant-0 border. The seed is the 106 points of 2d106det on the
//   first frame (eye centres = means of 106-pt [33,35,40,39] / [87,89,94,93], lip = mean(52, 61)) and,
//   when tracking a video, the previous frame's 203 points (eyes [0,6,12,18] / [24,30,36,42], lip
//   mean(48, 66)) — `Cropper.crop_driving_video` / `crop_source_video` / `calc_lmks_from_cropped_video`.
//   Without any seed LP stretches the whole frame to 224² ("NOT RECOMMEND"); not reproduced here.
//
// The rotated rectangle is LP's parse_rect_from_landmark, implemented by crop.ts; so this module
// takes the 224² crop as a matrix (`landmarks203(session, image, crop)`): build it with crop.ts from
// the seed points and {@link LANDMARK203_CROP} (tracking.ts does).
//
// Matrices map image → crop with pixel centres at integer coordinates, as cv2 (and warpAffine here).
// Input sizes and normalisations are the catalog entries' `preprocess` (../face/models.ts, ./models.ts).
import {
  type Affine,
  affine,
  applyAffine,
  invertAffine,
  type ModelSession,
  ort,
  type Picture,
  type Point,
  warpAffine,
} from '@visage/inference';
import { FACE_MODEL_SET } from '../face/models.ts';
import { inputDims, inputValues } from '../model-input.ts';
import { LIVEPORTRAIT_MODEL_SET } from './models.ts';

/** [x1, y1, x2, y2] in image pixels. */
export type Box = readonly [number, number, number, number];

const PREPROCESS_106 = FACE_MODEL_SET.landmarks106.preprocess;
const PREPROCESS_203 = LIVEPORTRAIT_MODEL_SET.landmark.preprocess;

export const LANDMARK106_SIZE = PREPROCESS_106.size;
export const LANDMARK106_POINTS = 106;
export const LANDMARK203_SIZE = PREPROCESS_203.size;
export const LANDMARK203_POINTS = 203;

/** human_landmark_runner's crop_image parameters, for crop.ts's rectangle (vx: crop_image passes none → 0). */
export const LANDMARK203_CROP = { size: LANDMARK203_SIZE, scale: 1.5, vx: 0, vy: -0.1 } as const;

/**
 * The points LP's parse_pt2_from_pt106 / parse_pt2_from_pt203 average into the eye centres (image-left
 * group first as stored by the model) and the lip centre: the anchors of the crop rectangle's axis.
 */
export const RECT_ANCHORS_106 = {
  eyes: [
    [33, 35, 40, 39],
    [87, 89, 94, 93],
  ],
  lip: [52, 61],
} as const;
export const RECT_ANCHORS_203 = {
  eyes: [
    [0, 6, 12, 18],
    [24, 30, 36, 42],
  ],
  lip: [48, 66],
} as const;

function boxGeometry(box: Box, what: string) {
  const [x1, y1, x2, y2] = box;
  if (![x1, y1, x2, y2].every(Number.isFinite))
    throw new RangeError(`${what}: box [${box.join(', ')}] is not finite`);
  // The longer side, at least 1 px so a degenerate box still gives an invertible matrix.
  return { cx: (x1 + x2) / 2, cy: (y1 + y2) / 2, side: Math.max(x2 - x1, y2 - y1, 1) };
}

// ── 2d106det ──────────────────────────────────────────────────────────────────────────────────────

/** Image → 192² crop of insightface's Landmark.get: scale 192/(1.5·max(w, h)), box centre → (96, 96), no rotation. */
export function crop106Matrix(box: Box): Affine {
  const { cx, cy, side } = boxGeometry(box, 'crop106Matrix');
  const s = LANDMARK106_SIZE / (1.5 * side);
  const half = LANDMARK106_SIZE / 2;
  return affine(s, 0, half - s * cx, 0, s, half - s * cy);
}

/** `fc1` (212 values in [−1, 1]) and the crop → image matrix → 106 image points: (v + 1)·96, then `inverse`. Pure. */
export function decode106(raw: ArrayLike<number>, inverse: Affine): Point[] {
  if (raw.length !== LANDMARK106_POINTS * 2) {
    throw new RangeError(`decode106: expected 106×2 = 212 values, got ${raw.length}`);
  }
  const half = LANDMARK106_SIZE / 2;
  const points: Point[] = [];
  for (let p = 0; p < LANDMARK106_POINTS; p++) {
    points.push(applyAffine(inverse, [(raw[2 * p]! + 1) * half, (raw[2 * p + 1]! + 1) * half]));
  }
  return points;
}

/** The [1,3,192,192] input: the crop, RGB, 0..255 as is (black outside the image), and its matrix. */
export function prepare106Input(image: Picture, box: Box): { tensor: Float32Array; matrix: Affine } {
  const matrix = crop106Matrix(box);
  const crop = warpAffine(image, matrix, LANDMARK106_SIZE, LANDMARK106_SIZE, { border: 'constant', fill: 0 });
  return { tensor: inputValues(crop, PREPROCESS_106), matrix };
}

// ── landmark.onnx (203 points) ────────────────────────────────────────────────────────────────────

/** The third output (406 values, 0..1 of the crop) and the crop → image matrix → 203 image points: v·224, then `inverse`. Pure. */
export function decode203(raw: ArrayLike<number>, inverse: Affine): Point[] {
  if (raw.length !== LANDMARK203_POINTS * 2) {
    throw new RangeError(`decode203: expected 203×2 = 406 values, got ${raw.length}`);
  }
  const points: Point[] = [];
  for (let p = 0; p < LANDMARK203_POINTS; p++) {
    points.push(applyAffine(inverse, [raw[2 * p]! * LANDMARK203_SIZE, raw[2 * p + 1]! * LANDMARK203_SIZE]));
  }
  return points;
}

/** The [1,3,224,224] input: the crop under `crop` (image → crop), RGB /255, black outside the image. */
export function prepare203Input(image: Picture, crop: Affine): Float32Array {
  const pixels = warpAffine(image, crop, LANDMARK203_SIZE, LANDMARK203_SIZE, { border: 'constant', fill: 0 });
  return inputValues(pixels, PREPROCESS_203);
}

// ── runners ───────────────────────────────────────────────────────────────────────────────────────

/** `preferred` when the model declares it, else its first input. */
function inputName(session: ModelSession, preferred: string): string {
  if (session.inputs.some((i) => i.name === preferred)) return preferred;
  const first = session.inputs[0]?.name;
  if (first === undefined) throw new Error(`${session.id}: the model has no inputs`);
  return first;
}

/** The output called `name` when present, else the one at `position`; float32 with `count` values. */
function pickOutput(
  session: ModelSession,
  result: Record<string, ort.Tensor>,
  name: string,
  position: number,
  count: number,
): Float32Array {
  const tensor = result[name] ?? result[session.outputs[position]?.name ?? ''];
  if (!tensor) {
    throw new Error(
      `${session.id}: no output "${name}" nor an output #${position + 1} (the model has ${session.outputs.map((o) => o.name).join(', ') || 'none'})`,
    );
  }
  if (tensor.type !== 'float32' || tensor.data.length !== count) {
    throw new Error(
      `${session.id}: expected output "${name}" float32 with ${count} values, got ${tensor.type} [${tensor.dims.join(', ')}]`,
    );
  }
  return tensor.data as Float32Array;
}

/** 2d106det: the 106 landmarks of the face in `box`, in image pixels. */
export async function landmarks106(session: ModelSession, image: Picture, box: Box): Promise<Point[]> {
  const { tensor, matrix } = prepare106Input(image, box);
  const result = await session.run({
    [inputName(session, 'data')]: new ort.Tensor('float32', tensor, inputDims(PREPROCESS_106)),
  });
  return decode106(pickOutput(session, result, 'fc1', 0, LANDMARK106_POINTS * 2), invertAffine(matrix));
}

/**
 * landmark.onnx: 203 landmarks in image pixels from the 224² crop `crop` (image → crop). Build `crop`
 * with crop.ts from the seed points (2d106det's 106 on a first frame, the previous frame's 203 when
 * tracking) and {@link LANDMARK203_CROP}.
 */
export async function landmarks203(session: ModelSession, image: Picture, crop: Affine): Promise<Point[]> {
  const inverse = invertAffine(crop);
  const tensor = prepare203Input(image, crop);
  const result = await session.run({
    [inputName(session, 'input')]: new ort.Tensor('float32', tensor, inputDims(PREPROCESS_203)),
  });
  return decode203(pickOutput(session, result, '856', 2, LANDMARK203_POINTS * 2), inverse);
}

// ── eye / lip ratios (LP src/utils/retargeting_utils.py, docs/models/liveportrait.md §3.8) ─────────

const EPS = 1e-6;
const distance = (a: Point, b: Point) => Math.hypot(a[0] - b[0], a[1] - b[1]);

/** calculate_distance_ratio: |p[i]−p[j]| / (|p[k]−p[l]| + 1e-6). */
function ratio(points: readonly Point[], i: number, j: number, k: number, l: number): number {
  return distance(points[i]!, points[j]!) / (distance(points[k]!, points[l]!) + EPS);
}

function check203(points: readonly Point[], what: string): void {
  if (points.length !== LANDMARK203_POINTS) {
    throw new RangeError(`${what}: expected the 203 landmark.onnx points, got ${points.length}`);
  }
}

/** calc_eye_close_ratio: [left, right] = [|p6−p18| / |p0−p12|, |p30−p42| / |p24−p36|] (ε 1e-6 in the denominators). */
export function eyeRatios(points203: readonly Point[]): [number, number] {
  check203(points203, 'eyeRatios');
  return [ratio(points203, 6, 18, 0, 12), ratio(points203, 30, 42, 24, 36)];
}

/** calc_lip_close_ratio: |p90−p102| / |p48−p66| (ε 1e-6 in the denominator). */
export function lipRatio(points203: readonly Point[]): number {
  check203(points203, 'lipRatio');
  return ratio(points203, 90, 102, 48, 66);
}
