// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// Wan's 3D RoPE tables (docs/models/wan.md §4.7) against an independent per-token computation: token
// (t, y, x) at row (t·hp + y)·wp + x; pairs 0–21 turn by t·10000^(−k/22), 22–42 by y·10000^(−k/21),
// 43–63 by x·10000^(−k/21).
import { describe, expect, it } from 'vitest';
import { ropeTables } from '../src/wan/rope.ts';

/** The angle of pair `col` for token (t, y, x), written from the §4.7 text. */
function angle(col: number, t: number, y: number, x: number): number {
  if (col < 22) return t * 10000 ** (-col / 22);
  if (col < 43) return y * 10000 ** (-(col - 22) / 21);
  return x * 10000 ** (-(col - 43) / 21);
}

describe('ropeTables', () => {
  const [f, hp, wp] = [2, 2, 3];
  const { cos, sin } = ropeTables(f, hp, wp);

  it('has [f·hp·wp, 64] entries', () => {
    expect(cos.length).toBe(f * hp * wp * 64);
    expect(sin.length).toBe(f * hp * wp * 64);
  });

  it('matches cos/sin of the per-axis angles, rows in (t, y, x) order', () => {
    let row = 0;
    for (let t = 0; t < f; t++) {
      for (let y = 0; y < hp; y++) {
        for (let x = 0; x < wp; x++, row++) {
          for (let col = 0; col < 64; col++) {
            const a = angle(col, t, y, x);
            const at = row * 64 + col;
            if (Math.abs(cos[at]! - Math.cos(a)) > 1e-7 || Math.abs(sin[at]! - Math.sin(a)) > 1e-7) {
              throw new Error(`token (${t}, ${y}, ${x}) column ${col}: ${cos[at]}, ${sin[at]} vs angle ${a}`);
            }
          }
        }
      }
    }
  });

  it('columns 0–21 follow the frame, 22–42 the row, 43–63 the column', () => {
    const rowOf = (t: number, y: number, x: number) => (t * hp + y) * wp + x;
    const changed = (a: number, b: number) =>
      Array.from({ length: 64 }, (_, c) => c).filter((c) => sin[a * 64 + c] !== sin[b * 64 + c]);
    const range = (lo: number, hi: number) => Array.from({ length: hi - lo }, (_, i) => lo + i);
    // Column 0 of each axis has frequency 1 and turns with the position; every pair but none turns at 0.
    expect(changed(rowOf(0, 0, 0), rowOf(1, 0, 0))).toEqual(range(0, 22));
    expect(changed(rowOf(0, 0, 0), rowOf(0, 1, 0))).toEqual(range(22, 43));
    expect(changed(rowOf(0, 0, 0), rowOf(0, 0, 2))).toEqual(range(43, 64));
  });

  it('known values: position 1 on each axis, first and last pair', () => {
    const row = ((1 * hp + 1) * wp + 1) * 64; // token (1, 1, 1)
    expect(cos[row + 0]).toBeCloseTo(Math.cos(1), 7);
    expect(sin[row + 21]).toBeCloseTo(Math.sin(10000 ** (-21 / 22)), 7); // 1/10000^(42/44)
    expect(sin[row + 42]).toBeCloseTo(Math.sin(10000 ** (-20 / 21)), 7); // 1/10000^(40/42)
    expect(cos[row + 43]).toBeCloseTo(Math.cos(1), 7);
    expect(sin[row + 63]).toBeCloseTo(Math.sin(10000 ** (-20 / 21)), 7);
  });

  it('the origin token has no rotation', () => {
    for (let c = 0; c < 64; c++) {
      expect(cos[c]).toBe(1);
      expect(sin[c]).toBe(0);
    }
  });

  it('rejects grids outside 1…1024 per axis', () => {
    expect(() => ropeTables(0, 2, 2)).toThrow(/frames/);
    expect(() => ropeTables(2, 1025, 2)).toThrow(/rows/);
    expect(() => ropeTables(2, 2, 1.5)).toThrow(/columns/);
  });
});
