import { describe, expect, it } from 'vitest';
import { blurredBoxMask, gaussianBlur } from '../src/image/index.ts';

const at = (mask: Float32Array, width: number, x: number, y: number) => mask[y * width + x] ?? Number.NaN;

// Expected values: cv2.GaussianBlur(mask, (0, 0), σ) on the same float32 box, OpenCV 4.6.0 with numpy
// 1.24 (Debian bookworm python3-opencv), printed to 7 digits. The first three are FaceFusion 3.8.1's
// face_masker.create_box_mask run verbatim (blur 0.3: 128² → 9 zero rows and σ 4.75; with 10 % padding
// 12 zero rows; 512² → 38 zero rows and σ 19).
describe('blurredBoxMask', () => {
  const cases = [
    {
      size: 128,
      zero: 9,
      sigma: 4.75,
      row: [0.0729707, 0.1754355, 0.4582355, 0.5420877, 0.7010123, 0.7698165, 0.943178, 0.9923761, 1],
      pts: [0.005324726, 0.053995, 0.6194155, 0.07297071, 0.09855226],
    },
    {
      size: 128,
      zero: 12,
      sigma: 4.75,
      row: [
        0.0152475, 0.0573418, 0.2301835, 0.2989878, 0.4580044, 0.5419955, 0.8287343, 0.9635147, 0.9999717,
      ],
      pts: [0.0002324866, 0.007294727, 0.362141, 0.01524751, 0.02471705],
    },
    {
      size: 512,
      zero: 38,
      sigma: 19,
      row: [0.0483379, 0.0533304, 0.0684914, 0.073922, 0.0868128, 0.0942908, 0.1312595, 0.1796736, 0.3466551],
      pts: [0.002336556, 0.003153112, 0.01437858, 0.04833792, 0.04958303],
    },
  ];
  const columns = [0, 4, 8, 9, 11, 12, 16, 20, 30];

  it.each(cases)(
    "matches cv2's blur of a $size² box with $zero zero rows, σ $sigma",
    ({ size, zero, sigma, row, pts }) => {
      const mask = blurredBoxMask(size, size, { zero, sigma });
      const mid = size / 2;
      expect(columns.map((x) => at(mask, size, x, mid))).toEqual(row.map((v) => expect.closeTo(v, 5)));
      const where = [
        [0, 0],
        [5, 5],
        [20, 10],
        [mid, size - 1],
        [size - 3, mid],
      ] as const;
      expect(where.map(([x, y]) => at(mask, size, x, y))).toEqual(pts.map((v) => expect.closeTo(v, 5)));
    },
  );

  it('takes zero strips per side, top, right, bottom, left, on a non-square box', () => {
    // cv2: ones(20×30) with rows :2 and −6: and columns :8 and −4: zeroed, blurred with σ 1.5.
    const mask = blurredBoxMask(30, 20, { zero: [2, 4, 6, 8], sigma: 1.5 });
    const where = [
      [8, 10, 0.6274657],
      [7, 10, 0.3638194],
      [25, 10, 0.6274658],
      [15, 2, 0.641697],
      [15, 13, 0.6329821],
      [0, 0, 0],
      [15, 10, 0.9912851],
    ] as const;
    for (const [x, y, v] of where) expect(at(mask, 30, x, y)).toBeCloseTo(v, 5);
  });

  it("keeps each side's strip at σ 0: FaceFusion's padding order top, right, bottom, left", () => {
    // 6×5, strips top 1, right 2, bottom 0, left 1: ones at rows 1..4, columns 1..3.
    const mask = blurredBoxMask(6, 5, { zero: [1, 2, 0, 1], sigma: 0 });
    const rows = Array.from({ length: 5 }, (_, y) => Array.from(mask.subarray(y * 6, y * 6 + 6)).join(''));
    expect(rows).toEqual(['000000', '011100', '011100', '011100', '011100']);
  });

  it('is the hard box at σ 0, and rejects fractional strips and negative σ', () => {
    expect(Array.from(blurredBoxMask(4, 3, { zero: 1, sigma: 0 }))).toEqual([
      0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0,
    ]);
    expect(() => blurredBoxMask(4, 4, { zero: 1.5, sigma: 1 })).toThrow(RangeError);
    expect(() => blurredBoxMask(4, 4, { zero: 1, sigma: -1 })).toThrow(/sigma/);
  });
});

describe('gaussianBlur', () => {
  it('leaves a constant image constant, edges included', () => {
    const src = new Float32Array(31 * 17).fill(0.625);
    const out = gaussianBlur(src, 31, 17, 3.5);
    for (const v of out) expect(Math.abs(v - 0.625)).toBeLessThan(1e-6);
  });

  it('spreads an impulse into a symmetric bump that keeps its mass', () => {
    const w = 41;
    const src = new Float32Array(w * w);
    src[20 * w + 20] = 1;
    const out = gaussianBlur(src, w, w, 2);
    const total = out.reduce((s, v) => s + v, 0);
    expect(total).toBeCloseTo(1, 5);
    const peak = at(out, w, 20, 20);
    // Peak of a normalised 2-D Gaussian, σ = 2: 1/(2πσ²) ≈ 0.0398 (the discrete kernel is a little higher).
    expect(peak).toBeGreaterThan(0.038);
    expect(peak).toBeLessThan(0.042);
    expect(at(out, w, 17, 20)).toBeCloseTo(at(out, w, 23, 20), 7);
    expect(at(out, w, 20, 17)).toBeCloseTo(at(out, w, 17, 20), 7);
    // One σ away along an axis the 1-D factor drops by e^(−1/2).
    expect(at(out, w, 22, 20) / peak).toBeCloseTo(Math.exp(-0.5), 4);
  });

  it('softens a hard box mask edge to a ramp, and σ = 0 copies', () => {
    const hard = blurredBoxMask(20, 20, { zero: 5, sigma: 0 }); // a hard box, 5 px of zeros
    const soft = gaussianBlur(hard, 20, 20, 1.5);
    expect(at(soft, 20, 10, 10)).toBeGreaterThan(0.99); // 3σ from both edges
    expect(at(soft, 20, 5, 10)).toBeGreaterThan(0.2);
    expect(at(soft, 20, 5, 10)).toBeLessThan(0.8);
    expect(Array.from(gaussianBlur(hard, 20, 20, 0))).toEqual(Array.from(hard));
    expect(() => gaussianBlur(hard, 20, 19, 1)).toThrow(/needs 380/);
  });
});
