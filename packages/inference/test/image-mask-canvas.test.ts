import { describe, expect, it } from 'vitest';
import {
  affine,
  blurredBoxMask,
  createImage,
  identityAffine,
  MaskCanvas,
  pasteBack,
  type RgbImage,
  similarityAffine,
} from '../src/image/index.ts';

const grey = (img: RgbImage, x: number, y: number) => img.data[(y * img.width + x) * img.channels];

function expectGrid(canvas: MaskCanvas, expected: number[][]): void {
  expect(canvas.height).toBe(expected.length);
  expected.forEach((row, y) => {
    expect(canvas.width).toBe(row.length);
    row.forEach((value, x) => {
      expect(canvas.values[y * canvas.width + x], `pixel (${x}, ${y})`).toBeCloseTo(value, 6);
    });
  });
}

// 3×3 crop mask used by the identity and translation cases.
const MASK3 = Float32Array.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1);

describe('MaskCanvas', () => {
  it('with the identity matrix holds the mask where the crop lies and 0 elsewhere', () => {
    const canvas = new MaskCanvas(5, 4);
    canvas.add(MASK3, 3, identityAffine());
    expectGrid(canvas, [
      [0.1, 0.2, 0.3, 0, 0],
      [0.4, 0.5, 0.6, 0, 0],
      [0.7, 0.8, 1, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    const img = canvas.toImage();
    expect(img.width).toBe(5);
    expect(img.height).toBe(4);
    expect(img.channels).toBe(3);
    // round(255·v): 25.5 → 26, 127.5 → 128, 255.
    expect(grey(img, 0, 0)).toBe(26);
    expect(grey(img, 1, 1)).toBe(128);
    expect(grey(img, 2, 2)).toBe(255);
    expect(grey(img, 3, 0)).toBe(0);
    // R = G = B.
    const o = (1 * 5 + 2) * 3;
    expect([img.data[o], img.data[o + 1], img.data[o + 2]]).toEqual([153, 153, 153]);
  });

  it('with a whole-pixel translation lands the values exactly shifted', () => {
    const canvas = new MaskCanvas(6, 5);
    canvas.add(MASK3, 3, affine(1, 0, 2, 0, 1, 1));
    expectGrid(canvas, [
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0.1, 0.2, 0.3, 0],
      [0, 0, 0.4, 0.5, 0.6, 0],
      [0, 0, 0.7, 0.8, 1, 0],
      [0, 0, 0, 0, 0, 0],
    ]);
  });

  it('with a 2× scale samples the mask bilinearly at half-pixel positions, fading to 0 past the crop', () => {
    // Crop 2×2 [[0, 0.4], [0.8, 1]]; frame pixel (x, y) reads crop position (x/2, y/2).
    const canvas = new MaskCanvas(6, 6);
    canvas.add(Float32Array.of(0, 0.4, 0.8, 1), 2, affine(2, 0, 0, 0, 2, 0));
    // Hand values: (1,0) → (0.5,0): (0+0.4)/2 = 0.2. (1,1) → (0.5,0.5): (0+0.4+0.8+1)/4 = 0.55.
    // (3,2) → (1.5,1): half of 1 and half of the 0 outside = 0.5. (3,3) → (1.5,1.5): 1/4 = 0.25.
    // (0,3) → (0,1.5): 0.8/2 = 0.4. (1,3) → (0.5,1.5): (0.8+1)/4 = 0.45. (3,0) → (1.5,0): 0.4/2 = 0.2.
    // (3,1) → (1.5,0.5): (0.4+1)/4 = 0.35. (2,1) → (1,0.5): (0.4+1)/2 = 0.7. (2,3) → (1,1.5): 1/2 = 0.5.
    expectGrid(canvas, [
      [0, 0.2, 0.4, 0.2, 0, 0],
      [0.4, 0.55, 0.7, 0.35, 0, 0],
      [0.8, 0.9, 1, 0.5, 0, 0],
      [0.4, 0.45, 0.5, 0.25, 0, 0],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ]);
    // 0.55·255 = 140.25 → 140; 0.45·255 = 114.75 → 115.
    const img = canvas.toImage();
    expect(grey(img, 1, 1)).toBe(140);
    expect(grey(img, 1, 3)).toBe(115);
  });

  it('keeps the larger value where two masks overlap, whatever the order', () => {
    const a = new Float32Array(4).fill(0.6);
    const b = Float32Array.of(0.2, 0.9, 0.2, 0.9);
    const expected = [
      [0.6, 0.6, 0.9, 0],
      [0.6, 0.6, 0.9, 0],
      [0, 0, 0, 0],
    ];
    const ab = new MaskCanvas(4, 3);
    ab.add(a, 2, identityAffine());
    ab.add(b, 2, affine(1, 0, 1, 0, 1, 0));
    expectGrid(ab, expected);
    const ba = new MaskCanvas(4, 3);
    ba.add(b, 2, affine(1, 0, 1, 0, 1, 0));
    ba.add(a, 2, identityAffine());
    expectGrid(ba, expected);
  });

  it('holds the weights pasteBack blends with: a white crop pasted onto black equals 255·canvas within a level', () => {
    const size = 48;
    // A feathered box times a seeded ripple: smooth and rough regions, values spread over 0..1.
    const mask = blurredBoxMask(size, size, { zero: 3, sigma: 2.5 });
    let s = 7;
    for (let i = 0; i < mask.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      mask[i] = (mask[i] ?? Number.NaN) * (0.35 + 0.65 * (s / 2 ** 32));
    }
    // Rotated 23°, scaled 1.7, hanging over the right edge of the frame.
    const cropToFrame = similarityAffine(23, 1.7, [size / 2, size / 2], [70, 20]);
    const frame = createImage(120, 100, 3);
    const crop = createImage(size, size, 3);
    crop.data.fill(255);
    pasteBack(frame, crop, cropToFrame, mask);
    const canvas = new MaskCanvas(120, 100);
    canvas.add(mask, size, cropToFrame);
    const img = canvas.toImage();
    let covered = 0;
    let partial = 0;
    for (let i = 0; i < 120 * 100; i++) {
      const pasted = frame.data[i * 3] ?? -1;
      expect(
        Math.abs(pasted - (img.data[i * 3] ?? Number.NaN)),
        `pixel ${i % 120}, ${Math.floor(i / 120)}`,
      ).toBeLessThanOrEqual(1);
      if (pasted > 0) covered++;
      if (pasted > 0 && pasted < 255) partial++;
      // Black where pasteBack left the frame alone.
      if (pasted === 0) expect(canvas.values[i]).toBeLessThan(1 / 255);
    }
    // The comparison ran over a real face-sized footprint with graded weights, not an empty frame.
    expect(covered).toBeGreaterThan(3000);
    expect(partial).toBeGreaterThan(1000);
  });

  it('rejects a bad size, a wrong-length mask and a mask outside 0..1', () => {
    expect(() => new MaskCanvas(0, 4)).toThrow(/positive integers/);
    expect(() => new MaskCanvas(3.5, 4)).toThrow(/positive integers/);
    const canvas = new MaskCanvas(8, 8);
    expect(() => canvas.add(new Float32Array(8), 3, identityAffine())).toThrow(
      /8 values, a 3×3 crop needs 9/,
    );
    expect(() => canvas.add(new Float32Array(0), 0, identityAffine())).toThrow(
      /size must be a positive integer/,
    );
    expect(() => canvas.add(new Float32Array(4), 2, affine(0, 0, 0, 0, 0, 0))).toThrow(/singular/);
    const bad = new Float32Array(9).fill(0.5);
    bad[4] = 1.5;
    expect(() => canvas.add(bad, 3, identityAffine())).toThrow(/\(1, 1\) is 1\.5, outside 0..1/);
    bad[4] = Number.NaN;
    expect(() => canvas.add(bad, 3, identityAffine())).toThrow(/outside 0..1/);
  });
});
