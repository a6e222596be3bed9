// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// Golden tests for the LivePortrait keypoint maths (docs/models/liveportrait.md §3, §4). Every expected
// value is worked out by hand from the formulas in the comments, not taken from the implementation.

import { describe, expect, it } from 'vitest';
import {
  ABSOLUTE_EXP_KEYPOINTS,
  absoluteMotion,
  addDelta,
  applyMultiplier,
  applyStitching,
  decodeMotion,
  EYE_KEYPOINTS,
  eyeCloseRatios,
  eyeRetargetInput,
  headPoseDegrees,
  LIP_KEYPOINTS,
  lipCloseRatio,
  lipRetargetInput,
  type MotionInfo,
  MotionSmoother,
  OneEuroFilter,
  relativeMotion,
  rotationMatrix,
  sourceKeypoints,
  stitchingInput,
  transformKeypoints,
} from '../src/liveportrait/motion.ts';

const EPS = 12; // decimal digits for float64 maths

/** Row vector p (3) times a 3×3 row-major matrix. */
function rowTimes(p: readonly number[], m: Float64Array): number[] {
  return [0, 1, 2].map((j) => p[0]! * m[j]! + p[1]! * m[3 + j]! + p[2]! * m[6 + j]!);
}

function matmul(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++)
      out.push(a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!);
  }
  return out;
}

function transpose(a: ArrayLike<number>): number[] {
  return [a[0]!, a[3]!, a[6]!, a[1]!, a[4]!, a[7]!, a[2]!, a[5]!, a[8]!];
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = EPS): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(actual[i]!, `index ${i}`).toBeCloseTo(expected[i]!, digits);
}

/** Rx, Ry, Rz written out independently of the implementation (LP camera.py). */
function eulerMatrices(pitch: number, yaw: number, roll: number) {
  const [x, y, z] = [pitch, yaw, roll].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const rx = [1, 0, 0, 0, Math.cos(x), -Math.sin(x), 0, Math.sin(x), Math.cos(x)];
  const ry = [Math.cos(y), 0, Math.sin(y), 0, 1, 0, -Math.sin(y), 0, Math.cos(y)];
  const rz = [Math.cos(z), -Math.sin(z), 0, Math.sin(z), Math.cos(z), 0, 0, 0, 1];
  return { rx, ry, rz };
}

function motion(partial: Partial<MotionInfo> & { pitch?: number; yaw?: number; roll?: number }): MotionInfo {
  const pitch = partial.pitch ?? 0;
  const yaw = partial.yaw ?? 0;
  const roll = partial.roll ?? 0;
  return {
    pitch,
    yaw,
    roll,
    R: partial.R ?? rotationMatrix(pitch, yaw, roll),
    t: partial.t ?? new Float32Array(3),
    exp: partial.exp ?? new Float32Array(63),
    scale: partial.scale ?? 1,
    kp: partial.kp ?? new Float32Array(63),
  };
}

describe('headPoseDegrees', () => {
  it('gives 3·40 − 97.5 = 22.5° for a near one-hot head at bin 40', () => {
    const logits = new Float32Array(66);
    logits[40] = 1000; // softmax ≈ one-hot; the max is subtracted so exp(1000) never overflows
    expect(headPoseDegrees(logits)).toBeCloseTo(22.5, 10);
  });

  it('gives 3·32.5 − 97.5 = 0° for uniform logits (mean bin (0+65)/2 = 32.5)', () => {
    expect(headPoseDegrees(new Float32Array(66).fill(7))).toBeCloseTo(0, 10);
  });

  it('gives 3·30.5 − 97.5 = −6° for two equal peaks at bins 30 and 31', () => {
    const logits = new Float32Array(66);
    logits[30] = 50;
    logits[31] = 50;
    expect(headPoseDegrees(logits)).toBeCloseTo(-6, 10);
  });

  it('weights the bins by the softmax: logits ln 3 at bin 0 and 0 at bin 1 (others −∞-ish)', () => {
    // p0 = 3/4, p1 = 1/4 → 3·(1/4) − 97.5 = −96.75.
    const logits = new Float32Array(66).fill(-1e4);
    logits[0] = Math.log(3);
    logits[1] = 0;
    expect(headPoseDegrees(logits)).toBeCloseTo(-96.75, 5);
  });

  it('passes a 1-value (already decoded) angle through and rejects other lengths', () => {
    expect(headPoseDegrees(Float32Array.of(12.5))).toBe(12.5);
    expect(() => headPoseDegrees(new Float32Array(65))).toThrow(RangeError);
  });
});

describe('rotationMatrix = (Rz·Ry·Rx)ᵀ for row vectors', () => {
  it('is the identity at 0, 0, 0', () => {
    expectClose(rotationMatrix(0, 0, 0), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('pure yaw 90°: x = (1,0,0) maps to −z, z maps to +x', () => {
    // Ry(90) = [[0,0,1],[0,1,0],[−1,0,0]] → R = Ryᵀ = [[0,0,−1],[0,1,0],[1,0,0]]; (1,0,0)·R = row 0.
    const R = rotationMatrix(0, 90, 0);
    expectClose(R, [0, 0, -1, 0, 1, 0, 1, 0, 0]);
    expectClose(rowTimes([1, 0, 0], R), [0, 0, -1]);
    expectClose(rowTimes([0, 0, 1], R), [1, 0, 0]);
  });

  it('pure pitch 90°: y = (0,1,0) maps to +z, z maps to −y', () => {
    // Rx(90) = [[1,0,0],[0,0,−1],[0,1,0]] → R = [[1,0,0],[0,0,1],[0,−1,0]]; (0,1,0)·R = row 1 = (0,0,1).
    const R = rotationMatrix(90, 0, 0);
    expectClose(R, [1, 0, 0, 0, 0, 1, 0, -1, 0]);
    expectClose(rowTimes([0, 1, 0], R), [0, 0, 1]);
    expectClose(rowTimes([0, 0, 1], R), [0, -1, 0]);
  });

  it('pure roll 90°: x maps to +y', () => {
    // Rz(90) = [[0,−1,0],[1,0,0],[0,0,1]] → R = [[0,1,0],[−1,0,0],[0,0,1]]; (1,0,0)·R = (0,1,0).
    expectClose(rowTimes([1, 0, 0], rotationMatrix(0, 0, 90)), [0, 1, 0]);
  });

  it('applies pitch first, then yaw: with pitch = yaw = 90°, y maps to +x (yaw first would give +z)', () => {
    // Pitch: (0,1,0) → (0,0,1); then yaw: (0,0,1)·Ryᵀ = row 2 of Ryᵀ = (1,0,0).
    // The other order: yaw leaves y alone, then pitch sends it to (0,0,1).
    const R = rotationMatrix(90, 90, 0);
    expectClose(rowTimes([0, 1, 0], R), [1, 0, 0]);
    const { rx, ry } = eulerMatrices(90, 90, 0);
    const yawThenPitch = transpose(matmul(rx, ry)); // (Rx·Ry)ᵀ: the wrong order
    expectClose(rowTimes([0, 1, 0], Float64Array.from(yawThenPitch)), [0, 0, 1]);
  });

  it('equals (Rz·Ry·Rx)ᵀ built from the three elementary matrices, and is orthonormal with det 1', () => {
    const angles: [number, number, number][] = [
      [12.3, -45.6, 78.9],
      [-97.5, 30, -5],
      [60, 60, 60],
      [1, -2, 3],
    ];
    for (const [p, y, r] of angles) {
      const R = rotationMatrix(p, y, r);
      const { rx, ry, rz } = eulerMatrices(p, y, r);
      expectClose(R, transpose(matmul(rz, matmul(ry, rx))));
      expectClose(matmul(Array.from(R), transpose(R)), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
      const det =
        R[0]! * (R[4]! * R[8]! - R[5]! * R[7]!) -
        R[1]! * (R[3]! * R[8]! - R[5]! * R[6]!) +
        R[2]! * (R[3]! * R[7]! - R[4]! * R[6]!);
      expect(det).toBeCloseTo(1, EPS);
    }
  });
});

describe('decodeMotion and transformKeypoints', () => {
  it('decodes the angle heads, scale and copies of t/exp/kp', () => {
    const head = (bin: number) => {
      const l = new Float32Array(66);
      l[bin] = 1000;
      return l;
    };
    const kp = Float32Array.from({ length: 63 }, (_, i) => i / 10);
    const exp = Float32Array.from({ length: 63 }, (_, i) => -i / 100);
    const raw = {
      pitch: head(35), // 3·35 − 97.5 = 7.5
      yaw: head(20), // 60 − 97.5 = −37.5
      roll: head(32), // 96 − 97.5 = −1.5
      t: Float32Array.of(0.1, 0.2, 0.3),
      exp,
      scale: Float32Array.of(1.5),
      kp,
    };
    const m = decodeMotion(raw);
    expect(m.pitch).toBeCloseTo(7.5, 10);
    expect(m.yaw).toBeCloseTo(-37.5, 10);
    expect(m.roll).toBeCloseTo(-1.5, 10);
    expectClose(m.R, rotationMatrix(7.5, -37.5, -1.5), 10);
    expect(m.scale).toBeCloseTo(1.5, 6);
    expect(Array.from(m.kp)).toEqual(Array.from(kp));
    expect(m.kp).not.toBe(kp); // a copy: ORT may reuse its output buffers
    expect(Array.from(m.exp)).toEqual(Array.from(exp));
    expect(Array.from(m.t)).toEqual(Array.from(raw.t));
    expect(() => decodeMotion({ ...raw, kp: new Float32Array(60) })).toThrow(RangeError);
  });

  it('computes s·(kp·R + exp) + (tx, ty, 0) (checked by hand on keypoints 0 and 5)', () => {
    const kp = new Float32Array(63);
    kp.set([1, 2, 3], 0);
    kp.set([0, 1, 0], 15);
    const exp = new Float32Array(63);
    exp.set([0.5, -0.5, 0.25], 0);
    exp.set([0, 0, 0.5], 15);
    const R = rotationMatrix(0, 90, 0); // [[0,0,−1],[0,1,0],[1,0,0]]
    const t = Float32Array.of(10, 20, 30);
    const x = transformKeypoints(kp, R, exp, 2, t);
    // kp0: (1,2,3)·R = 1·(0,0,−1) + 2·(0,1,0) + 3·(1,0,0) = (3, 2, −1); + exp = (3.5, 1.5, −0.75);
    // ×2 = (7, 3, −1.5); + (10, 20, 0) = (17, 23, −1.5) — tz = 30 is not added.
    expectClose(x.subarray(0, 3), [17, 23, -1.5], 5);
    // kp5: (0,1,0)·R = (0,1,0); + (0,0,0.5) = (0,1,0.5); ×2 = (0,2,1); + t' = (10, 22, 1).
    expectClose(x.subarray(15, 18), [10, 22, 1], 5);
    // A keypoint with kp = exp = 0 lands on (tx, ty, 0).
    expectClose(x.subarray(30, 33), [10, 20, 0], 5);
  });

  it('sourceKeypoints is transformKeypoints of the motion itself', () => {
    const m = motion({ pitch: 10, yaw: -20, roll: 5, scale: 1.3, t: Float32Array.of(0.1, -0.2, 9) });
    m.kp.fill(0.25);
    expect(Array.from(sourceKeypoints(m))).toEqual(
      Array.from(transformKeypoints(m.kp, m.R, m.exp, 1.3, m.t)),
    );
  });
});

describe('relativeMotion', () => {
  const source = motion({
    pitch: 3,
    yaw: 10,
    roll: -4,
    scale: 2,
    t: Float32Array.of(1, 2, 3),
    exp: new Float32Array(63).fill(0.125),
  });

  it('returns the source motion (tz zeroed) when the driving frame is the first frame', () => {
    const d = motion({ pitch: -7, yaw: 22, roll: 1, scale: 1.7, t: Float32Array.of(5, 6, 7) });
    d.exp.fill(0.3);
    const r = relativeMotion(source, d, d, {});
    expectClose(r.R, source.R); // R_d·R_dᵀ·R_s = R_s up to rounding
    expect(Array.from(r.exp)).toEqual(Array.from(source.exp));
    expect(r.scale).toBe(2); // 2·(1.7/1.7)
    expect(Array.from(r.t)).toEqual([1, 2, 0]);
  });

  it('adds the driving deltas to exp, scale and t (hand values)', () => {
    const first = motion({
      scale: 1.25,
      t: Float32Array.of(0.5, 0.5, 0.5),
      exp: new Float32Array(63).fill(0.25),
    });
    const driving = motion({
      scale: 1.5,
      t: Float32Array.of(1, -1, 7),
      exp: new Float32Array(63).fill(0.75),
    });
    const r = relativeMotion(source, driving, first, { region: 'all' });
    // exp: 0.125 + (0.75 − 0.25) = 0.625 (exact in binary)
    expect(Array.from(r.exp)).toEqual(new Array(63).fill(0.625));
    // scale: 2·(1.5/1.25) = 2.4
    expect(r.scale).toBeCloseTo(2.4, 12);
    // t: (1,2,3) + ((1,−1,7) − (0.5,0.5,0.5)) = (1.5, 0.5, 9.5) → tz := 0
    expect(Array.from(r.t)).toEqual([1.5, 0.5, 0]);
  });

  it('composes yaws additively: R_di·R_d0ᵀ·R_s for pure yaws = R(yaw_s + yaw_di − yaw_d0)', () => {
    const s = motion({ yaw: 10 });
    const r = relativeMotion(s, motion({ yaw: 25 }), motion({ yaw: 5 }));
    expectClose(r.R, rotationMatrix(0, 30, 0)); // 10 + 25 − 5
    // and the same for pure pitches: −5 + 12 − (−3) = 10
    const p = relativeMotion(motion({ pitch: -5 }), motion({ pitch: 12 }), motion({ pitch: -3 }));
    expectClose(p.R, rotationMatrix(10, 0, 0));
  });

  it('is R_di·R_d0ᵀ·R_s in that order for general rotations', () => {
    const s = motion({ pitch: 15, yaw: -30, roll: 8 });
    const d0 = motion({ pitch: -4, yaw: 12, roll: 3 });
    const di = motion({ pitch: 20, yaw: 40, roll: -10 });
    const expected = matmul(matmul(Array.from(di.R), transpose(d0.R)), Array.from(s.R));
    expectClose(relativeMotion(s, di, d0).R, expected);
    const wrongOrder = matmul(Array.from(s.R), matmul(Array.from(di.R), transpose(d0.R)));
    expect(Math.max(...expected.map((v, i) => Math.abs(v - wrongOrder[i]!)))).toBeGreaterThan(1e-3);
  });

  const first = motion({ yaw: 5, scale: 1, t: Float32Array.of(0, 0, 0) });
  const driving = motion({
    yaw: 25,
    scale: 2,
    t: Float32Array.of(1, 1, 1),
    exp: Float32Array.from({ length: 63 }, (_, i) => i + 1),
  });
  const changedKeypoints = (exp: Float32Array) => {
    const ks = new Set<number>();
    for (let i = 0; i < 63; i++) if (exp[i] !== source.exp[i]) ks.add(Math.floor(i / 3));
    return [...ks].sort((a, b) => a - b);
  };

  it("region 'lip' changes only keypoints 6, 12, 14, 17, 19, 20 of exp and keeps the source pose", () => {
    const r = relativeMotion(source, driving, first, { region: 'lip' });
    expect(changedKeypoints(r.exp)).toEqual([6, 12, 14, 17, 19, 20]);
    expect(LIP_KEYPOINTS).toEqual([6, 12, 14, 17, 19, 20]);
    expect(r.exp[6 * 3 + 1]).toBeCloseTo(0.125 + 20, 5); // flat index 19 → driving 20, first 0
    expectClose(r.R, source.R);
    expect(r.scale).toBe(2);
    expect(Array.from(r.t)).toEqual([1, 2, 0]);
  });

  it("region 'eyes' changes only keypoints 11, 13, 15, 16, 18", () => {
    const r = relativeMotion(source, driving, first, { region: 'eyes' });
    expect(changedKeypoints(r.exp)).toEqual([11, 13, 15, 16, 18]);
    expect(EYE_KEYPOINTS).toEqual([11, 13, 15, 16, 18]);
  });

  it("region 'exp' moves every expression but keeps R_s, s_s and t_s", () => {
    const r = relativeMotion(source, driving, first, { region: 'exp' });
    expect(changedKeypoints(r.exp)).toHaveLength(21);
    expectClose(r.R, source.R);
    expect(r.scale).toBe(2);
    expect(Array.from(r.t)).toEqual([1, 2, 0]);
  });

  it("region 'pose' moves R and t, keeps exp_s, and (as LP) keeps s_s", () => {
    const r = relativeMotion(source, driving, first, { region: 'pose' });
    expect(Array.from(r.exp)).toEqual(Array.from(source.exp));
    // source R is (3, 10, −4); the yaw delta of +20 is applied on the left: R(0,25)·R(0,5)ᵀ·R_s
    expectClose(r.R, matmul(matmul(Array.from(driving.R), transpose(first.R)), Array.from(source.R)));
    expect(r.scale).toBe(2); // not 2·(2/1): LP multiplies the scale ratio in only for 'all'
    expect(Array.from(r.t)).toEqual([2, 3, 0]); // (1,2) + (1,1) − (0,0)
  });
});

describe('absoluteMotion', () => {
  const source = motion({ yaw: 10, scale: 3, t: Float32Array.of(1, 2, 3) });
  for (let i = 0; i < 63; i++) source.exp[i] = i;
  const driving = motion({ pitch: 20, scale: 5, t: Float32Array.of(7, 8, 9) });
  for (let i = 0; i < 63; i++) driving.exp[i] = 1000 + i;

  it('copies the driving exp at rows {1,2,6,11..20} and at [3:5].y, [5].z, [8].z, [9].yz only', () => {
    const r = absoluteMotion(source, driving);
    // Flat index = 3·keypoint + axis (x 0, y 1, z 2).
    const expected = new Set<number>();
    for (const k of [1, 2, 6, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
      for (const a of [0, 1, 2]) expected.add(3 * k + a);
    for (const i of [3 * 3 + 1, 4 * 3 + 1, 5 * 3 + 2, 8 * 3 + 2, 9 * 3 + 1, 9 * 3 + 2]) expected.add(i);
    for (let i = 0; i < 63; i++) expect(r.exp[i], `flat index ${i}`).toBe(expected.has(i) ? 1000 + i : i);
    // So keypoints 0, 7, 10 are wholly the source's; 3, 4 keep x and z; 5, 8 keep x and y; 9 keeps x.
    expect(ABSOLUTE_EXP_KEYPOINTS).toHaveLength(13);
    expectClose(r.R, driving.R);
    expect(r.scale).toBe(3); // always the source scale
    expect(Array.from(r.t)).toEqual([7, 8, 0]); // driving t, tz zeroed
  });

  it("region 'lip' copies whole lip rows and keeps the source pose and translation", () => {
    const r = absoluteMotion(source, driving, { region: 'lip' });
    for (let i = 0; i < 63; i++) {
      expect(r.exp[i]).toBe(LIP_KEYPOINTS.includes(Math.floor(i / 3)) ? 1000 + i : i);
    }
    expectClose(r.R, source.R);
    expect(Array.from(r.t)).toEqual([1, 2, 0]);
  });

  it("region 'pose' takes R and t from the driving frame and keeps exp_s", () => {
    const r = absoluteMotion(source, driving, { region: 'pose' });
    expect(Array.from(r.exp)).toEqual(Array.from(source.exp));
    expectClose(r.R, driving.R);
    expect(Array.from(r.t)).toEqual([7, 8, 0]);
  });
});

describe('stitching, retargeting and the multiplier', () => {
  it('lays out the stitching input as [x_s, x_new]', () => {
    const xs = Float32Array.from({ length: 63 }, (_, i) => i);
    const xn = Float32Array.from({ length: 63 }, (_, i) => -i);
    const f = stitchingInput(xs, xn);
    expect(f).toHaveLength(126);
    expect(f[0]).toBe(0);
    expect(f[62]).toBe(62);
    expect(f[63]).toBe(-0);
    expect(f[125]).toBe(-62);
  });

  it('adds δ[0:63] per keypoint and δ[63], δ[64] to every x and y', () => {
    const xNew = new Float32Array(63).fill(1);
    const delta = new Float32Array(65);
    for (let i = 0; i < 63; i++) delta[i] = i;
    delta[63] = 100;
    delta[64] = 200;
    const out = applyStitching(xNew, delta);
    for (let k = 0; k < 21; k++) {
      expect(out[3 * k]).toBe(1 + 3 * k + 100); // x: own delta + shared tx
      expect(out[3 * k + 1]).toBe(1 + 3 * k + 1 + 200); // y: own delta + shared ty
      expect(out[3 * k + 2]).toBe(1 + 3 * k + 2); // z: own delta only
    }
    expect(xNew[0]).toBe(1); // input untouched
    expect(() => applyStitching(xNew, new Float32Array(63))).toThrow(RangeError);
  });

  it('scales the motion with x_s + (x_new − x_s)·m', () => {
    const xs = new Float32Array(63).fill(1);
    const xn = new Float32Array(63).fill(3);
    expect(applyMultiplier(xs, xn, 1.75)[5]).toBe(4.5); // 1 + 2·1.75
    expect(Array.from(applyMultiplier(xs, xn, 1))).toEqual(Array.from(xn));
    expect(Array.from(applyMultiplier(xs, xn, 0))).toEqual(Array.from(xs));
  });

  it('builds the eye (66) and lip (65) retargeting inputs and adds deltas', () => {
    const xs = Float32Array.from({ length: 63 }, (_, i) => i);
    const eye = eyeRetargetInput(xs, [0.25, 0.5], 0.125);
    expect(eye).toHaveLength(66);
    expect(Array.from(eye.subarray(60))).toEqual([60, 61, 62, 0.25, 0.5, 0.125]);
    const lip = lipRetargetInput(xs, 0.5, 0);
    expect(lip).toHaveLength(65);
    expect(Array.from(lip.subarray(61))).toEqual([61, 62, 0.5, 0]);
    const sum = addDelta(xs, new Float32Array(63).fill(0.5));
    expect(sum[10]).toBe(10.5);
  });

  it('computes the 203-point eye and lip ratios with ε = 1e-6', () => {
    const lm: [number, number][] = Array.from({ length: 203 }, () => [0, 0]);
    lm[6] = [0, 0];
    lm[18] = [0, 3]; // |p6 − p18| = 3
    lm[12] = [4, 0]; // |p0 − p12| = 4
    lm[30] = [0, 1];
    lm[42] = [0, 2]; // 1
    lm[24] = [0, 0];
    lm[36] = [0, 8]; // 8
    lm[90] = [3, 0];
    lm[102] = [0, 4]; // 5
    lm[48] = [0, 0];
    lm[66] = [10, 0]; // 10
    const [l, r] = eyeCloseRatios(lm);
    expect(l).toBeCloseTo(3 / (4 + 1e-6), 12);
    expect(r).toBeCloseTo(1 / (8 + 1e-6), 12);
    expect(lipCloseRatio(lm)).toBeCloseTo(5 / (10 + 1e-6), 12);
  });
});

describe('OneEuroFilter (FLP parameters: minCutoff 4, beta 0.3, dCutoff 1, 30 Hz)', () => {
  it('keeps a constant input constant', () => {
    const f = new OneEuroFilter(3);
    const x = Float32Array.of(1.5, -2.25, 7);
    for (let i = 0; i < 20; i++) expect(Array.from(f.filter(x))).toEqual([1.5, -2.25, 7]);
  });

  it('with beta 0 is the low-pass α = 1/(1 + 30/(2π·4)) = 0.455859', () => {
    const f = new OneEuroFilter(1, { beta: 0 });
    expect(f.filter([0])[0]).toBe(0); // first sample passes through
    expect(f.filter([1])[0]).toBeCloseTo(0.455859, 5); // α·1
    expect(f.filter([1])[0]).toBeCloseTo(0.70391, 5); // 1 − (1 − α)²
  });

  it('with the default beta raises the cutoff on a step (hand value 0.537931)', () => {
    // dx = (1 − 0)·30 = 30; α_d = 1/(1 + 30/(2π·1)) = 0.173171; ê = 0.173171·30 = 5.195122;
    // fc = 4 + 0.3·5.195122 = 5.558536; α = 1/(1 + 30/(2π·5.558536)) = 0.537931.
    const f = new OneEuroFilter(1);
    f.filter([0]);
    expect(f.filter([1])[0]).toBeCloseTo(0.537931, 5);
  });

  it('smooths a step: first output = first input, then monotonic toward the new value without overshoot', () => {
    const f = new OneEuroFilter(2);
    expect(Array.from(f.filter([0, 10]))).toEqual([0, 10]);
    let prev = [0, 10];
    for (let i = 0; i < 8; i++) {
      // (after ~8 steps the remaining gap, ≤ 0.55⁸ of the step, is still far above float32 rounding)
      const y = Array.from(f.filter([1, 5]));
      expect(y[0]!).toBeGreaterThan(prev[0]!);
      expect(y[0]!).toBeLessThanOrEqual(1);
      expect(y[1]!).toBeLessThan(prev[1]!);
      expect(y[1]!).toBeGreaterThanOrEqual(5);
      prev = y;
    }
    for (let i = 0; i < 30; i++) prev = Array.from(f.filter([1, 5]));
    expect(prev[0]!).toBeCloseTo(1, 5);
    expect(prev[1]!).toBeCloseTo(5, 5);
  });

  it('follows faster with a higher beta', () => {
    const twoStepsAfter = (beta: number) => {
      const f = new OneEuroFilter(1, { beta });
      f.filter([0]);
      f.filter([1]);
      return f.filter([1])[0]!;
    };
    expect(twoStepsAfter(0.3)).toBeGreaterThan(twoStepsAfter(0));
    expect(twoStepsAfter(3)).toBeGreaterThan(twoStepsAfter(0.3));
  });

  it('uses timestamps for the rate when given: 1/30 s steps equal the default, 1/15 s steps follow faster', () => {
    const run = (ts?: (i: number) => number) => {
      const f = new OneEuroFilter(1, { beta: 0 });
      const out: number[] = [];
      for (let i = 0; i < 4; i++) out.push(f.filter([i === 0 ? 0 : 1], ts?.(i))[0]!);
      return out;
    };
    expect(run((i) => i / 30)).toEqual(run());
    // at 15 Hz α = 1/(1 + 15/(2π·4)) = 0.626240
    expect(run((i) => i / 15)[1]).toBeCloseTo(0.62624, 5);
  });

  it('reset makes the next sample pass through', () => {
    const f = new OneEuroFilter(1);
    f.filter([0]);
    f.filter([1]);
    f.reset();
    expect(f.filter([5])[0]).toBe(5);
  });

  it('MotionSmoother filters the head angles only and rebuilds R from them; exp passes untouched', () => {
    const s = new MotionSmoother({ beta: 0 });
    const m0 = motion({ yaw: 0 });
    expect(s.smooth(m0).yaw).toBe(0);
    const m1 = motion({ yaw: 10 });
    m1.exp.fill(1);
    const out = s.smooth(m1);
    expect(out.yaw).toBeCloseTo(4.55859, 4); // α·10
    expect(out.exp).toBe(m1.exp); // the expression is never smoothed (§4.3)
    expectClose(out.R, rotationMatrix(0, out.yaw, 0));
    expect(out.kp).toBe(m1.kp);
  });
});
