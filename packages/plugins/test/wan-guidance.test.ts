// Classifier-free guidance (docs/models/wan.md §7.7): v = uncond + g·(cond − uncond), for two separate
// outputs and for one batch-2 output in [cond, uncond] order. Expected values worked by hand.
import { describe, expect, it } from 'vitest';
import { applyGuidance, applyGuidanceBatch2 } from '../src/wan/guidance.ts';

describe('applyGuidance', () => {
  it('uncond + g·(cond − uncond), into cond by default', () => {
    const cond = Float32Array.of(1, 2, -1);
    const uncond = Float32Array.of(0, 1, 1);
    const out = applyGuidance(cond, uncond, 5);
    expect(out).toBe(cond);
    // 0 + 5·1 = 5; 1 + 5·1 = 6; 1 + 5·(−2) = −9
    expect(Array.from(out)).toEqual([5, 6, -9]);
    expect(Array.from(uncond)).toEqual([0, 1, 1]);
  });

  it('g = 1 gives cond, g = 0 gives uncond; a separate out leaves both inputs alone', () => {
    const cond = Float32Array.of(0.25, -3);
    const uncond = Float32Array.of(2, 4);
    expect(Array.from(applyGuidance(cond, uncond, 1, new Float32Array(2)))).toEqual([0.25, -3]);
    expect(Array.from(applyGuidance(cond, uncond, 0, new Float32Array(2)))).toEqual([2, 4]);
    expect(Array.from(applyGuidance(cond, uncond, 0.5, new Float32Array(2)))).toEqual([1.125, 0.5]);
    expect(Array.from(cond)).toEqual([0.25, -3]);
  });

  it('rejects mismatched lengths and a non-finite scale', () => {
    expect(() => applyGuidance(new Float32Array(2), new Float32Array(3), 5)).toThrow(/one length/);
    expect(() => applyGuidance(new Float32Array(2), new Float32Array(2), Number.NaN)).toThrow(/finite/);
  });
});

describe('applyGuidanceBatch2', () => {
  it('treats the first half as cond and the second as uncond, result in the first half', () => {
    const batched = Float32Array.of(1, 2, -1, /* uncond */ 0, 1, 1);
    const out = applyGuidanceBatch2(batched, 5);
    expect(Array.from(out)).toEqual([5, 6, -9]);
    expect(out.buffer).toBe(batched.buffer);
    expect(Array.from(batched.subarray(0, 3))).toEqual([5, 6, -9]);
  });

  it('rejects an odd length', () => {
    expect(() => applyGuidanceBatch2(new Float32Array(5), 5)).toThrow(/even length/);
  });
});
