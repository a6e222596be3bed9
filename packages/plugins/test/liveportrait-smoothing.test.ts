// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// Smoothing of the driving motion (docs/models/liveportrait.md §4): LP and FLP smooth nothing when the
// source is a photo, so by default a fast mouth must come through whole; the optional smoothing
// steadies the head angles only. Synthetic driving sequences through the animator's keypoint step
// with the plugin's default options (no networks involved: stitching and lip models absent).
import { describe, expect, it } from 'vitest';
import type { LivePortraitModels } from '../src/liveportrait/acquire.ts';
import { LivePortraitAnimator, type PreparedSource } from '../src/liveportrait/animator.ts';
import { LIP_KEYPOINTS, rotationMatrix, sourceKeypoints } from '../src/liveportrait/motion.ts';
import { animateSettings } from '../src/liveportrait/run.ts';
import { liveportraitSchema } from '../src/liveportrait/schema.ts';
import type { MotionFrame } from '../src/liveportrait/template.ts';

const FPS = 30;
const SOURCE_SCALE = 1.5;
const MOUTH = 3 * LIP_KEYPOINTS[4]! + 1; // keypoint 19, y: moves with a lip-region expression change

const defaults = liveportraitSchema.parse({
  source: '0190c5a0-0000-7000-8000-0000000000a1',
  driving: '0190c5a0-0000-7000-8000-0000000000a2',
});

/** A portrait facing the camera with a neutral expression; no stitching, lip or landmark models. */
function animator(options: Partial<typeof defaults> = {}): LivePortraitAnimator {
  const motion = {
    pitch: 0,
    yaw: 0,
    roll: 0,
    R: rotationMatrix(0, 0, 0),
    t: new Float32Array(3),
    exp: new Float32Array(63),
    scale: SOURCE_SCALE,
    kp: Float32Array.from({ length: 63 }, (_, i) => Math.sin(i) * 0.1),
  };
  const source = { motion, keypoints: sourceKeypoints(motion), eyeRatios: null, lipRatio: null };
  const models = {
    stitching: null,
    eye: null,
    lip: null,
    landmark203: null,
  } as unknown as LivePortraitModels;
  return new LivePortraitAnimator(
    models,
    animateSettings({ ...defaults, ...options }, FPS),
    source as unknown as PreparedSource,
  );
}

/** 2 s of driving frames at 30 fps: the mouth (keypoint 19's y expression) and the yaw as given over time. */
function sequence(mouth: (t: number) => number, yaw: (t: number) => number = () => 0): MotionFrame[] {
  return Array.from({ length: 2 * FPS }, (_, i) => {
    const exp = new Float32Array(63);
    exp[MOUTH] = mouth(i / FPS);
    return {
      pitch: 0,
      yaw: yaw(i / FPS),
      roll: 0,
      t: new Float32Array(3),
      exp,
      scale: 1,
      eyeRatios: [Number.NaN, Number.NaN],
      lipRatio: Number.NaN,
    };
  });
}

/** Peak-to-peak of `values` after the first half second (the filters' start-up). */
const swing = (values: number[]) => {
  const settled = values.slice(FPS / 2);
  return Math.max(...settled) - Math.min(...settled);
};

async function drive(a: LivePortraitAnimator, frames: MotionFrame[]) {
  const out: Float32Array[] = [];
  for (const [i, frame] of frames.entries()) out.push(await a.keypointsFor(frame, (i * 1000) / FPS));
  return out;
}

describe('driving motion smoothing', () => {
  const amplitude = 0.02;
  const mouth = (t: number) => amplitude * Math.sin(2 * Math.PI * 4 * t); // a 4 Hz mouth

  it('should be off by default, as LP and FLP for a photo: a 4 Hz mouth keeps ≥ 95 % of its swing', async () => {
    expect(defaults.smoothing).toBe(0);
    const frames = sequence(mouth);
    const out = await drive(animator(), frames);
    // Relative motion: x = s_s·(kp_s·R_s + exp_s + exp_d − exp_d0), so the mouth moves s_s·exp_d.
    const kept = swing(out.map((x) => x[MOUTH]!)) / (SOURCE_SCALE * swing(frames.map((f) => f.exp[MOUTH]!)));
    expect(kept).toBeGreaterThanOrEqual(0.95);
  });

  it('should steady only the head angles when turned on: the mouth still comes through whole', async () => {
    const jitter = (t: number) => 2 * Math.sin(2 * Math.PI * 8 * t); // an 8 Hz, ±2° head shake
    const frames = sequence(mouth, jitter);
    const [raw, smoothed] = await Promise.all([
      drive(animator(), frames),
      drive(animator({ smoothing: 1 }), frames),
    ]);
    const mouthSwing = (out: Float32Array[]) => swing(out.map((x) => x[MOUTH]!));
    // Keypoint 0's x follows the yaw (kp_s·R): the head shake.
    const headSwing = (out: Float32Array[]) => swing(out.map((x) => x[0]!));
    expect(mouthSwing(smoothed) / mouthSwing(raw)).toBeGreaterThanOrEqual(0.99);
    expect(headSwing(smoothed) / headSwing(raw)).toBeLessThan(0.5);
  });
});
