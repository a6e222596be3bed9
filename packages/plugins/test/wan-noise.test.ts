// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// The seeded noise generator (docs/models/wan.md §12.1): Philox-4x32-10 against Random123's published
// known-answer vectors, the Box–Muller mapping of those words, determinism, and the statistics of a
// large draw with tolerances of five standard errors.
import { describe, expect, it } from 'vitest';
import { gaussianNoise, MAX_SEED, philox4x32 } from '../src/wan/noise.ts';

const hex = (w: Uint32Array) => Array.from(w, (v) => v.toString(16).padStart(8, '0'));

describe('philox4x32 (Random123 kat_vectors)', () => {
  it('counter 0, key 0', () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
  });
  it('all ones', () => {
    const ones = 0xffffffff;
    expect(hex(philox4x32([ones, ones, ones, ones], [ones, ones]))).toEqual([
      '408f276d',
      '41c83b0e',
      'a20bc7c6',
      '6d5451fd',
    ]);
  });
  it('the digits of π', () => {
    expect(
      hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])),
    ).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

describe('gaussianNoise', () => {
  it('seed 0: the first four values are Box–Muller of the counter-0 key-0 block', () => {
    // Words of Random123's first vector: (u = (w0 + 1)/2^32, φ = 2π·w1/2^32) → r·cos φ, r·sin φ.
    const w = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];
    const bm = (a: number, b: number) => {
      const r = Math.sqrt(-2 * Math.log((a + 1) / 2 ** 32));
      const phi = (2 * Math.PI * b) / 2 ** 32;
      return [r * Math.cos(phi), r * Math.sin(phi)];
    };
    const expected = [...bm(w[0]!, w[1]!), ...bm(w[2]!, w[3]!)].map(Math.fround);
    expect(Array.from(gaussianNoise(0, 4))).toEqual(expected);
  });

  it('is deterministic, prefix-stable, and differs between seeds', () => {
    const a = gaussianNoise(42, 1001);
    expect(gaussianNoise(42, 1001)).toEqual(a);
    expect(gaussianNoise(42, 10)).toEqual(a.subarray(0, 10));
    const b = gaussianNoise(43, 1001);
    let same = 0;
    for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
    expect(same).toBe(0);
    // The high half of the seed matters too.
    expect(gaussianNoise(2 ** 32 + 42, 8)).not.toEqual(gaussianNoise(42, 8));
  });

  it('has the moments of a standard normal (n = 2^20, tolerances 5 standard errors)', () => {
    const n = 2 ** 20;
    const z = gaussianNoise(12345, n);
    let sum = 0;
    let sq = 0;
    let fourth = 0;
    let inside = 0;
    let lag = 0;
    for (let i = 0; i < n; i++) {
      const v = z[i]!;
      sum += v;
      sq += v * v;
      fourth += v ** 4;
      if (Math.abs(v) < 1) inside++;
      if (i > 0) lag += v * z[i - 1]!;
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n)); // SE 1/√n
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n)); // SE √(2/n)
    expect(Math.abs(fourth / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n)); // SE √((105 − 9)/n)
    const p = 0.6826894921; // P(|z| < 1)
    expect(Math.abs(inside / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    expect(Math.abs(lag / n)).toBeLessThan(5 / Math.sqrt(n)); // neighbours uncorrelated
  });

  it('accepts seeds up to 2^53 − 1 and rejects others', () => {
    expect(gaussianNoise(MAX_SEED, 4).every(Number.isFinite)).toBe(true);
    expect(() => gaussianNoise(-1, 4)).toThrow(/seed/);
    expect(() => gaussianNoise(1.5, 4)).toThrow(/seed/);
    expect(() => gaussianNoise(MAX_SEED + 1, 4)).toThrow(/seed/);
    expect(() => gaussianNoise(0, -1)).toThrow(/count/);
    expect(gaussianNoise(0, 0).length).toBe(0);
  });
});
