// Temporal smoothing of the colour statistics and the paste mask (docs/models/face.md §8.3), checked
// against the maths of a first-order low-pass y ← y + α·(x − y). Strength 0.8 at 30 fps, by hand:
// fc = 4/(1 + 9·0.8) = 0.487805 Hz, τ = 1/(2π·fc) = 0.326268 s, α = 1/(1 + τ·30) = 0.0926953.
// White noise x of variance σ² gives var(y) = α/(2 − α)·σ² and var(yₙ − yₙ₋₁) = 2α²/(2 − α)·σ², so
// the frame-to-frame RMS change drops by α/√(2 − α) = 0.067119 against the input's √2·σ.
// A unit step is within 5 % after n frames when (1 − α)ⁿ ≤ 0.05: n ≥ ln 0.05 / ln 0.9073047 = 30.80.
import type { LabStats } from '@visage/inference';
import { describe, expect, it } from 'vitest';
import { smoothingAlpha, smoothingCutoffHz, TemporalSmoother } from '../src/faceswap/temporal.ts';
import { gaussian } from './support/random.ts';

const ALPHA = 0.0926953;
const RMS_RATIO = 0.067119;
const FRAME_MS = 1000 / 30;

const rms = (values: number[]) => Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
const stats = (l: number, a = 10, b = 20, spread = 8): LabStats => ({ mean: [l, a, b], std: [spread, 4, 5] });

describe('smoothing constants', () => {
  it('should use the landmark filter’s resting cutoff and the One-Euro discretisation', () => {
    expect(smoothingCutoffHz(0.8)).toBeCloseTo(0.487805, 6);
    expect(smoothingCutoffHz(0.5)).toBeCloseTo(0.727273, 6); // the default: 4/5.5
    expect(smoothingAlpha(0.8, 1 / 30)).toBeCloseTo(ALPHA, 6);
    // Two frame times (15 fps): α = 1/(1 + 0.326268·15) = 0.169664.
    expect(smoothingAlpha(0.8, 1 / 15)).toBeCloseTo(0.169664, 6);
  });
});

describe(TemporalSmoother.name, () => {
  it('should pass everything through exactly at strength 0', () => {
    const smoother = new TemporalSmoother(0, 30);
    const target = stats(50);
    const mask = Float32Array.of(0.1, 0.5, 1);
    for (let i = 0; i < 3; i++) {
      const face = smoother.face(1, i * FRAME_MS);
      expect(face.smoothColour(target)).toBe(target);
      expect(face.smoothMask(mask)).toBe(mask);
      smoother.endFrame([1]);
    }
    expect(smoother.size).toBe(0);
  });

  it('should cut the frame-to-frame change of noisy colour statistics by α/√(2 − α)', () => {
    const smoother = new TemporalSmoother(0.8, 30);
    const noise = gaussian(7);
    const inL: number[] = [];
    const outL: number[] = [];
    const outStd: number[] = [];
    let previous: LabStats | undefined;
    let previousIn = 0;
    for (let i = 0; i < 20000; i++) {
      const l = 55 + 2 * noise();
      const target: LabStats = { mean: [l, 12, 18], std: [9 + noise(), 4, 5] };
      const out = smoother.face(4, i * FRAME_MS).smoothColour(target);
      smoother.endFrame([4]);
      if (i >= 100 && previous) {
        inL.push(l - previousIn);
        outL.push(out.mean[0] - previous.mean[0]);
        outStd.push(out.std[0] - previous.std[0]);
      }
      previous = out;
      previousIn = l;
    }
    const ratio = rms(outL) / rms(inL);
    console.log(
      `colour: RMS frame-to-frame change of L* ${rms(inL).toFixed(3)} → ${rms(outL).toFixed(4)} (×${ratio.toFixed(4)}, maths ×${RMS_RATIO})`,
    );
    expect(ratio).toBeGreaterThan(RMS_RATIO * 0.95);
    expect(ratio).toBeLessThan(RMS_RATIO * 1.05);
    // σ of the input 1: RMS change √2 before, √2·0.067119 = 0.0949 after.
    expect(rms(outStd)).toBeCloseTo(Math.SQRT2 * RMS_RATIO, 2);
  });

  it('should bring a step change within 5 % after 31 frames, not 30', () => {
    const smoother = new TemporalSmoother(0.8, 30);
    const seen: number[] = [];
    for (let i = 0; i <= 31; i++) {
      seen.push(smoother.face(2, i * FRAME_MS).smoothColour(stats(i === 0 ? 50 : 60)).mean[0]);
      smoother.endFrame([2]);
    }
    expect(seen[0]).toBe(50);
    expect(seen[1]).toBeCloseTo(50 + 10 * ALPHA, 5);
    expect(60 - (seen[30] ?? 0)).toBeGreaterThan(0.5); // 10·0.9073047³⁰ = 0.5402
    expect(60 - (seen[31] ?? 0)).toBeLessThan(0.5); // 0.4902
  });

  it('should smooth mask values alike, keep exact zeros at once, and not write the input', () => {
    const smoother = new TemporalSmoother(0.8, 30);
    const noise = gaussian(11);
    const n = 64;
    const inDiff: number[] = [];
    const outDiff: number[] = [];
    let previousIn: Float32Array = new Float32Array(n);
    let previousOut: Float32Array = new Float32Array(n);
    for (let i = 0; i < 2000; i++) {
      const mask = new Float32Array(n);
      for (let k = 0; k < n; k++) mask[k] = 0.6 + 0.05 * noise();
      mask[0] = i % 2; // the mouth or an occluder on every other frame: 0 exactly, at once
      const copy = Float32Array.from(mask);
      const out = smoother.face(9, i * FRAME_MS).smoothMask(mask);
      smoother.endFrame([9]);
      if (i % 250 === 0) expect(mask).toEqual(copy);
      if (i % 2 === 0) expect(out[0]).toBe(0);
      if (i >= 100) {
        for (let k = 1; k < n; k++) {
          inDiff.push((mask[k] ?? 0) - (previousIn[k] ?? 0));
          outDiff.push((out[k] ?? 0) - (previousOut[k] ?? 0));
        }
      }
      previousIn = mask;
      previousOut = out;
    }
    const ratio = rms(outDiff) / rms(inDiff);
    console.log(
      `mask: RMS frame-to-frame change ${rms(inDiff).toFixed(4)} → ${rms(outDiff).toFixed(5)} (×${ratio.toFixed(4)})`,
    );
    expect(ratio).toBeGreaterThan(RMS_RATIO * 0.95);
    expect(ratio).toBeLessThan(RMS_RATIO * 1.05);
  });

  it('should start afresh after a frame without the face, a gap over 0.5 s, a step back in time, or a new crop size', () => {
    const smoother = new TemporalSmoother(0.8, 30);
    const step = (id: number, t: number, l: number) => {
      const out = smoother.face(id, t).smoothColour(stats(l)).mean[0];
      smoother.endFrame([id]);
      return out;
    };
    step(1, 0, 50);
    expect(step(1, FRAME_MS, 60)).toBeCloseTo(50 + 10 * ALPHA, 5); // smoothed
    smoother.endFrame([]); // a frame in which face 1 was not rendered
    expect(step(1, 3 * FRAME_MS, 70)).toBe(70);
    expect(step(1, 3 * FRAME_MS + 600, 80)).toBe(80); // 0.6 s later
    expect(step(1, 100, 90)).toBe(90); // seeked back
    // Two faces keep their own state.
    const a = smoother.face(1, 200);
    const b = smoother.face(2, 200);
    a.smoothColour(stats(0));
    expect(b.smoothColour(stats(40)).mean[0]).toBe(40);
    smoother.endFrame([1, 2]);
    expect(smoother.size).toBe(2);
    // A mask of another size (another crop size) starts afresh: it passes through.
    const face = smoother.face(1, 200 + FRAME_MS);
    expect(Array.from(face.smoothMask(Float32Array.of(0.25, 0.5, 0.75, 1)))).toEqual([0.25, 0.5, 0.75, 1]);
    // …while a second channel is its own.
    expect(Array.from(face.smoothMask(Float32Array.of(0.5), 'restore'))).toEqual([0.5]);
  });

  it('should hand out one state per face and frame, and refuse to smooth twice in it', () => {
    const smoother = new TemporalSmoother(0.5, 30);
    const first = smoother.face(3, 0);
    expect(smoother.face(3, 0)).toBe(first);
    first.smoothColour(stats(50));
    expect(() => first.smoothColour(stats(50))).toThrow(/twice/);
    first.smoothMask(Float32Array.of(1));
    expect(() => first.smoothMask(Float32Array.of(1))).toThrow(/twice/);
    expect(() => new TemporalSmoother(1.5, 30)).toThrow(/0\.\.1/);
    expect(() => smoother.face(3, Number.NaN)).toThrow(/timestamp/);
  });
});
