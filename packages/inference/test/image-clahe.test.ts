import { describe, expect, it } from 'vitest';
import { clahe } from '../src/image/index.ts';

// Expected values: cv2.createCLAHE(clipLimit).apply(plane) on OpenCV 4.6.0 (Debian bookworm
// python3-opencv), with plane[y, x] = (3x + 2y) % 50 + 9·⌊x/10⌋ on a 100×60 uint8 image (not a
// multiple of the 8×8 grid, so the tables see a reflected border).
describe('clahe', () => {
  const plane = new Uint8Array(100 * 60);
  for (let y = 0; y < 60; y++)
    for (let x = 0; x < 100; x++) plane[y * 100 + x] = ((3 * x + 2 * y) % 50) + 9 * Math.floor(x / 10);
  const where = [
    [0, 0],
    [5, 7],
    [50, 30],
    [99, 59],
    [33, 44],
    [77, 12],
    [98, 1],
  ] as const;

  it.each([
    { clipLimit: 2, values: [5, 87, 70, 116, 134, 54, 189], sum: 628250 },
    { clipLimit: 40, values: [2, 146, 64, 135, 180, 25, 221], sum: 793173 },
  ])("matches OpenCV's CLAHE at clipLimit $clipLimit", ({ clipLimit, values, sum }) => {
    const out = clahe(plane, 100, 60, { clipLimit });
    expect(where.map(([x, y]) => out[y * 100 + x])).toEqual(values);
    expect(out.reduce((a, v) => a + v, 0)).toBe(sum);
  });

  it('rejects a plane of the wrong size', () => {
    expect(() => clahe(plane, 100, 61)).toThrow(RangeError);
  });
});
