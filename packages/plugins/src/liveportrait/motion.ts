// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction (lengths checked on entry)
// The keypoint maths of LivePortrait (docs/models/liveportrait.md §3, §4), following KwaiVGI/LivePortrait
// (LP): src/utils/camera.py, src/live_portrait_wrapper.py, src/live_portrait_pipeline.py,
// src/utils/retargeting_utils.py; the One-Euro smoother follows FasterLivePortrait (FLP) src/utils/utils.py.
//
// Shapes: 21 implicit keypoints, flattened row-major as [x0, y0, z0, x1, y1, z1, …] (63 values) — the
// layout of the motion extractor's `kp`/`exp` outputs and of the [1, 21, 3] inputs of warping_spade.
// Rotations are 3×3 row-major Float64Arrays applied to row vectors: p' = p·R (LP's `kp @ rot_mat`).

/** Number of implicit keypoints of the human LivePortrait models. */
export const NUM_KEYPOINTS = 21;
const KP_VALUES = NUM_KEYPOINTS * 3;
/** Bins of the pitch/yaw/roll classification heads (3° each, centred so that the mean bin 32.5 is 0°). */
export const HEAD_POSE_BINS = 66;

/** Keypoints whose expression LP's `animation_region: 'lip'` animates (live_portrait_pipeline.py). */
export const LIP_KEYPOINTS: readonly number[] = Object.freeze([6, 12, 14, 17, 19, 20]);
/** Keypoints whose expression LP's `animation_region: 'eyes'` animates. */
export const EYE_KEYPOINTS: readonly number[] = Object.freeze([11, 13, 15, 16, 18]);
/** Keypoints whose whole expression (x, y, z) absolute motion takes from the driving frame. */
export const ABSOLUTE_EXP_KEYPOINTS: readonly number[] = Object.freeze([
  1, 2, 6, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
]);

export type AnimationRegion = 'all' | 'exp' | 'pose' | 'lip' | 'eyes';

/** Decoded output of the motion extractor M for one 256² crop. */
export interface MotionInfo {
  /** Degrees. */
  pitch: number;
  yaw: number;
  roll: number;
  /** rotationMatrix(pitch, yaw, roll): 3×3 row-major, for row vectors. */
  R: Float64Array;
  /** Translation (tx, ty, tz); tz is ignored (zeroed) wherever keypoints are built. */
  t: Float32Array;
  /** Expression deformation, 21×3. */
  exp: Float32Array;
  scale: number;
  /** Canonical keypoints, 21×3. */
  kp: Float32Array;
}

/** The pose/expression that, applied to the source's canonical keypoints, gives the new keypoints. */
export interface MotionParams {
  R: Float64Array;
  exp: Float32Array;
  scale: number;
  /** tz is always 0 here. */
  t: Float32Array;
}

function checkLength(name: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new RangeError(`${name}: expected ${n} values, got ${a.length}`);
}

/**
 * Head angle in degrees from one 66-bin head (LP camera.py headpose_pred_to_degree):
 * 3·Σᵢ softmax(logits)ᵢ·i − 97.5, i = 0..65, so the result lies in [−97.5, 97.5]. The softmax subtracts
 * the maximum logit first, so large logits do not overflow. A 1-value input is taken as already in
 * degrees (LP passes non-66 inputs through unchanged; FaceFusion's exports decode inside the graph).
 */
export function headPoseDegrees(logits: Float32Array): number {
  if (logits.length === 1) return logits[0]!;
  checkLength('headPoseDegrees', logits, HEAD_POSE_BINS);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < HEAD_POSE_BINS; i++) max = Math.max(max, logits[i]!);
  if (!Number.isFinite(max)) throw new RangeError('headPoseDegrees: logits are not finite');
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < HEAD_POSE_BINS; i++) {
    const e = Math.exp(logits[i]! - max);
    sum += e;
    weighted += e * i;
  }
  return (3 * weighted) / sum - 97.5;
}

/**
 * LP camera.py get_rotation_matrix: with x = pitch, y = yaw, z = roll (degrees),
 * Rx = [[1,0,0],[0,c,−s],[0,s,c]], Ry = [[c,0,s],[0,1,0],[−s,0,c]], Rz = [[c,−s,0],[s,c,0],[0,0,1]],
 * returns R = (Rz·Ry·Rx)ᵀ = Rxᵀ·Ryᵀ·Rzᵀ. For a row vector, p·R applies the pitch first, then the yaw,
 * then the roll. Written out in closed form (Rz·Ry·Rx expanded, then transposed).
 */
export function rotationMatrix(pitch: number, yaw: number, roll: number): Float64Array {
  const x = (pitch * Math.PI) / 180;
  const y = (yaw * Math.PI) / 180;
  const z = (roll * Math.PI) / 180;
  const cx = Math.cos(x);
  const sx = Math.sin(x);
  const cy = Math.cos(y);
  const sy = Math.sin(y);
  const cz = Math.cos(z);
  const sz = Math.sin(z);
  // M = Rz·Ry·Rx:
  // [cz·cy, cz·sy·sx − sz·cx, cz·sy·cx + sz·sx]
  // [sz·cy, sz·sy·sx + cz·cx, sz·sy·cx − cz·sx]
  // [−sy,   cy·sx,            cy·cx          ]
  // R = Mᵀ.
  return Float64Array.of(
    cz * cy,
    sz * cy,
    -sy,
    cz * sy * sx - sz * cx,
    sz * sy * sx + cz * cx,
    cy * sx,
    cz * sy * cx + sz * sx,
    sz * sy * cx - cz * sx,
    cy * cx,
  );
}

/** a·b for 3×3 row-major matrices. */
function mul3(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
    }
  }
  return out;
}

/** a·bᵀ for 3×3 row-major matrices. */
function mul3T(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out[i * 3 + j] = a[i * 3]! * b[j * 3]! + a[i * 3 + 1]! * b[j * 3 + 1]! + a[i * 3 + 2]! * b[j * 3 + 2]!;
    }
  }
  return out;
}

/**
 * Decodes the seven raw outputs of motion_extractor.onnx (§2.2): the three angle heads through
 * headPoseDegrees, R from them, scale = scale[0], and copies of t (3), exp (63) and kp (63).
 */
export function decodeMotion(raw: {
  pitch: Float32Array;
  yaw: Float32Array;
  roll: Float32Array;
  t: Float32Array;
  exp: Float32Array;
  scale: Float32Array;
  kp: Float32Array;
}): MotionInfo {
  checkLength('decodeMotion t', raw.t, 3);
  checkLength('decodeMotion exp', raw.exp, KP_VALUES);
  checkLength('decodeMotion kp', raw.kp, KP_VALUES);
  checkLength('decodeMotion scale', raw.scale, 1);
  const pitch = headPoseDegrees(raw.pitch);
  const yaw = headPoseDegrees(raw.yaw);
  const roll = headPoseDegrees(raw.roll);
  return {
    pitch,
    yaw,
    roll,
    R: rotationMatrix(pitch, yaw, roll),
    t: Float32Array.from(raw.t),
    exp: Float32Array.from(raw.exp),
    scale: raw.scale[0]!,
    kp: Float32Array.from(raw.kp),
  };
}

/**
 * Implicit keypoints (LP live_portrait_wrapper.py transform_keypoint, paper Eqn. 2):
 * x = s·(kp·R + exp) + (tx, ty, 0) — only tx and ty are added; tz is dropped.
 */
export function transformKeypoints(
  kp: Float32Array,
  R: Float64Array,
  exp: Float32Array,
  scale: number,
  t: Float32Array,
): Float32Array {
  checkLength('transformKeypoints exp', exp, kp.length);
  checkLength('transformKeypoints R', R, 9);
  if (kp.length % 3 !== 0) throw new RangeError(`transformKeypoints: ${kp.length} values is not N×3`);
  if (t.length < 2) throw new RangeError('transformKeypoints: t needs at least tx and ty');
  const out = new Float32Array(kp.length);
  const tx = t[0]!;
  const ty = t[1]!;
  for (let o = 0; o < kp.length; o += 3) {
    const x = kp[o]!;
    const y = kp[o + 1]!;
    const z = kp[o + 2]!;
    out[o] = scale * (x * R[0]! + y * R[3]! + z * R[6]! + exp[o]!) + tx;
    out[o + 1] = scale * (x * R[1]! + y * R[4]! + z * R[7]! + exp[o + 1]!) + ty;
    out[o + 2] = scale * (x * R[2]! + y * R[5]! + z * R[8]! + exp[o + 2]!);
  }
  return out;
}

/** transformKeypoints of the source's canonical keypoints under `motion` (x_s when motion = the source's own). */
export function keypointsOf(canonical: Float32Array, motion: MotionParams): Float32Array {
  return transformKeypoints(canonical, motion.R, motion.exp, motion.scale, motion.t);
}

/** The source's own keypoints x_s = transformKeypoints(kp_s, R_s, exp_s, s_s, t_s). */
export function sourceKeypoints(source: MotionInfo): Float32Array {
  return transformKeypoints(source.kp, source.R, source.exp, source.scale, source.t);
}

function zeroTz(t: Float32Array): Float32Array {
  t[2] = 0;
  return t;
}

/** For each listed keypoint k: exp[k] = source[k] + (driving[k] − first[k]), all three axes. */
function addExpDelta(
  exp: Float32Array,
  source: Float32Array,
  driving: Float32Array,
  first: Float32Array,
  keypoints: readonly number[] | null,
): void {
  if (keypoints === null) {
    for (let i = 0; i < exp.length; i++) exp[i] = source[i]! + (driving[i]! - first[i]!);
    return;
  }
  for (const k of keypoints) {
    for (let j = k * 3; j < k * 3 + 3; j++) exp[j] = source[j]! + (driving[j]! - first[j]!);
  }
}

function checkMotion(name: string, m: MotionInfo): void {
  checkLength(`${name} exp`, m.exp, KP_VALUES);
  checkLength(`${name} kp`, m.kp, KP_VALUES);
  checkLength(`${name} R`, m.R, 9);
  checkLength(`${name} t`, m.t, 3);
}

/**
 * Relative motion for an image source and a driving video whose frame 0 is `first` (§3.4, LP
 * live_portrait_pipeline.py, `flag_relative_motion`), per `animation_region` exactly as LP's branch for
 * a driving video:
 * - 'all' (default): R = R_di·R_d0ᵀ·R_s; exp = exp_s + (exp_di − exp_d0); s = s_s·(s_di/s_d0);
 *   t = t_s + (t_di − t_d0).
 * - 'pose': R and t as 'all'; exp = exp_s; **s = s_s** (LP applies the scale ratio only for 'all').
 * - 'exp': exp as 'all'; R = R_s, s = s_s, t = t_s.
 * - 'lip' / 'eyes': R_s, s_s, t_s; exp = exp_s except the LIP_KEYPOINTS / EYE_KEYPOINTS rows, which get
 *   exp_s + (exp_di − exp_d0) on all three axes.
 * tz is zeroed in every case.
 */
export function relativeMotion(
  source: MotionInfo,
  driving: MotionInfo,
  first: MotionInfo,
  options: { region?: AnimationRegion } = {},
): MotionParams {
  checkMotion('relativeMotion source', source);
  checkMotion('relativeMotion driving', driving);
  checkMotion('relativeMotion first', first);
  const region = options.region ?? 'all';
  const withPose = region === 'all' || region === 'pose';
  const R = withPose ? mul3(mul3T(driving.R, first.R), source.R) : Float64Array.from(source.R);
  const exp = Float32Array.from(source.exp);
  if (region === 'all' || region === 'exp') addExpDelta(exp, source.exp, driving.exp, first.exp, null);
  else if (region === 'lip') addExpDelta(exp, source.exp, driving.exp, first.exp, LIP_KEYPOINTS);
  else if (region === 'eyes') addExpDelta(exp, source.exp, driving.exp, first.exp, EYE_KEYPOINTS);
  const scale = region === 'all' ? source.scale * (driving.scale / first.scale) : source.scale;
  const t = Float32Array.from(source.t);
  if (withPose) for (let i = 0; i < 3; i++) t[i] = source.t[i]! + (driving.t[i]! - first.t[i]!);
  return { R, exp, scale, t: zeroTz(t) };
}

/**
 * Absolute motion (§3.5, LP live_portrait_pipeline.py with `flag_relative_motion` off):
 * - R = R_di for 'all' / 'pose', else R_s; s = s_s always; t = t_di for 'all' / 'pose', else t_s; tz := 0.
 * - exp starts as exp_s. For 'all' / 'exp' the driving values replace it at (LP's numpy indices on the
 *   [21, 3] array, axis 1 = keypoint, axis 2 = x/y/z):
 *   `delta_new[:, idx, :]` for idx in ABSOLUTE_EXP_KEYPOINTS → those keypoints, all of x, y, z;
 *   `delta_new[:, 3:5, 1]` → keypoints 3 and 4 (the slice 3:5 excludes 5), y only;
 *   `delta_new[:, 5, 2]` → keypoint 5, z only; `delta_new[:, 8, 2]` → keypoint 8, z only;
 *   `delta_new[:, 9, 1:]` → keypoint 9, y and z.
 *   Keypoints 0, 7 and 10 and the remaining axes of 3, 4, 5, 8, 9 keep the source expression.
 *   For 'lip' / 'eyes' only the LIP_KEYPOINTS / EYE_KEYPOINTS rows (x, y, z) come from the driving frame.
 */
export function absoluteMotion(
  source: MotionInfo,
  driving: MotionInfo,
  options: { region?: AnimationRegion } = {},
): MotionParams {
  checkMotion('absoluteMotion source', source);
  checkMotion('absoluteMotion driving', driving);
  const region = options.region ?? 'all';
  const withPose = region === 'all' || region === 'pose';
  const exp = Float32Array.from(source.exp);
  const d = driving.exp;
  const copyRows = (keypoints: readonly number[]) => {
    for (const k of keypoints) for (let j = k * 3; j < k * 3 + 3; j++) exp[j] = d[j]!;
  };
  if (region === 'all' || region === 'exp') {
    copyRows(ABSOLUTE_EXP_KEYPOINTS);
    exp[3 * 3 + 1] = d[3 * 3 + 1]!; // [3:5, 1]: keypoint 3, y
    exp[4 * 3 + 1] = d[4 * 3 + 1]!; //           keypoint 4, y
    exp[5 * 3 + 2] = d[5 * 3 + 2]!; // [5, 2]
    exp[8 * 3 + 2] = d[8 * 3 + 2]!; // [8, 2]
    exp[9 * 3 + 1] = d[9 * 3 + 1]!; // [9, 1:]: y
    exp[9 * 3 + 2] = d[9 * 3 + 2]!; //          z
  } else if (region === 'lip') copyRows(LIP_KEYPOINTS);
  else if (region === 'eyes') copyRows(EYE_KEYPOINTS);
  return {
    R: Float64Array.from(withPose ? driving.R : source.R),
    exp,
    scale: source.scale,
    t: zeroTz(Float32Array.from(withPose ? driving.t : source.t)),
  };
}

/** LP's last step (`driving_multiplier`): x_s + (x_new − x_s)·m, element-wise. */
export function applyMultiplier(xs: Float32Array, xNew: Float32Array, m: number): Float32Array {
  checkLength('applyMultiplier', xNew, xs.length);
  const out = new Float32Array(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i]! + (xNew[i]! - xs[i]!) * m;
  return out;
}

/** Input of stitching.onnx: [x_s (63), x_new (63)] (LP concat_feat). */
export function stitchingInput(xs: Float32Array, xNew: Float32Array): Float32Array {
  checkLength('stitchingInput xs', xs, KP_VALUES);
  checkLength('stitchingInput xNew', xNew, KP_VALUES);
  const out = new Float32Array(2 * KP_VALUES);
  out.set(xs, 0);
  out.set(xNew, KP_VALUES);
  return out;
}

/**
 * Applies the stitching output δ (65) to x_new (LP live_portrait_wrapper.py stitching): a copy of x_new
 * plus δ[0:63] reshaped 21×3, then δ[63] added to every keypoint's x and δ[64] to every y.
 */
export function applyStitching(xNew: Float32Array, delta: Float32Array): Float32Array {
  checkLength('applyStitching xNew', xNew, KP_VALUES);
  checkLength('applyStitching delta', delta, KP_VALUES + 2);
  const out = new Float32Array(KP_VALUES);
  const dx = delta[KP_VALUES]!;
  const dy = delta[KP_VALUES + 1]!;
  for (let o = 0; o < KP_VALUES; o += 3) {
    out[o] = xNew[o]! + delta[o]! + dx;
    out[o + 1] = xNew[o + 1]! + delta[o + 1]! + dy;
    out[o + 2] = xNew[o + 2]! + delta[o + 2]!;
  }
  return out;
}

/**
 * Input of stitching_eye.onnx: [x_s (63), c_s,left, c_s,right, c_d] (66). LP feeds the driving frame's
 * left-eye ratio as c_d (calc_combined_eye_ratio takes c_d_eyes_i[0][0]).
 */
export function eyeRetargetInput(
  xs: Float32Array,
  sourceEyeRatios: readonly [number, number],
  drivingEyeRatio: number,
): Float32Array {
  checkLength('eyeRetargetInput xs', xs, KP_VALUES);
  const out = new Float32Array(KP_VALUES + 3);
  out.set(xs, 0);
  out[KP_VALUES] = sourceEyeRatios[0];
  out[KP_VALUES + 1] = sourceEyeRatios[1];
  out[KP_VALUES + 2] = drivingEyeRatio;
  return out;
}

/** Input of stitching_lip.onnx: [x_s (63), c_s,lip, c_d,lip] (65). */
export function lipRetargetInput(xs: Float32Array, sourceLip: number, drivingLip: number): Float32Array {
  checkLength('lipRetargetInput xs', xs, KP_VALUES);
  const out = new Float32Array(KP_VALUES + 2);
  out.set(xs, 0);
  out[KP_VALUES] = sourceLip;
  out[KP_VALUES + 1] = drivingLip;
  return out;
}

/** x + δ for a retargeting output (63), as a new array. */
export function addDelta(x: Float32Array, delta: Float32Array): Float32Array {
  checkLength('addDelta', delta, x.length);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! + delta[i]!;
  return out;
}

const RATIO_EPS = 1e-6;

function distance(points: readonly (readonly number[])[], a: number, b: number): number {
  const p = points[a];
  const q = points[b];
  if (!p || !q) throw new RangeError(`landmark ${p ? b : a} is missing`);
  return Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!);
}

/**
 * Eye-opening ratios from LP's 203-point landmarks (retargeting_utils.py calc_eye_close_ratio, ε 1e-6):
 * left = |p6 − p18| / (|p0 − p12| + ε), right = |p30 − p42| / (|p24 − p36| + ε).
 */
export function eyeCloseRatios(landmarks203: readonly (readonly number[])[]): [number, number] {
  return [
    distance(landmarks203, 6, 18) / (distance(landmarks203, 0, 12) + RATIO_EPS),
    distance(landmarks203, 30, 42) / (distance(landmarks203, 24, 36) + RATIO_EPS),
  ];
}

/** Lip-opening ratio from the 203-point landmarks: |p90 − p102| / (|p48 − p66| + ε). */
export function lipCloseRatio(landmarks203: readonly (readonly number[])[]): number {
  return distance(landmarks203, 90, 102) / (distance(landmarks203, 48, 66) + RATIO_EPS);
}

import { OneEuroFilter, type OneEuroOptions } from '../one-euro.ts';

export { OneEuroFilter, type OneEuroOptions };

/**
 * Smooths the driving head angles against jitter: one OneEuroFilter over (pitch, yaw, roll); R is
 * rebuilt from the smoothed angles. The expression, kp, t and scale pass through untouched: filtered,
 * a fast mouth or a blink would lag and shrink (LP and FLP smooth nothing for an image source, §4).
 */
export class MotionSmoother {
  private readonly angles: OneEuroFilter;
  private readonly angleBuf = new Float64Array(3);
  private readonly angleOut = new Float64Array(3);

  constructor(options: OneEuroOptions = {}) {
    this.angles = new OneEuroFilter(3, options);
  }

  smooth(motion: MotionInfo, timestamp?: number): MotionInfo {
    this.angleBuf[0] = motion.pitch;
    this.angleBuf[1] = motion.yaw;
    this.angleBuf[2] = motion.roll;
    const a = this.angles.filter(this.angleBuf, timestamp, this.angleOut);
    const pitch = a[0]!;
    const yaw = a[1]!;
    const roll = a[2]!;
    return { ...motion, pitch, yaw, roll, R: rotationMatrix(pitch, yaw, roll) };
  }

  reset(): void {
    this.angles.reset();
  }
}
