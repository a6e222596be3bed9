import { describe, expect, it } from 'vitest';
import {
  affine,
  applyAffine,
  blurredBoxMask,
  createImage,
  invertAffine,
  pasteBack,
  type RgbImage,
  similarityAffine,
  warpAffine,
} from '../src/image/index.ts';
import { randomImage } from './support/images.ts';

const px = (img: RgbImage, x: number, y: number, c = 0) => img.data[(y * img.width + x) * img.channels + c];

describe('pasteBack', () => {
  it('with a full mask and an integer offset writes the crop’s pixels exactly and nothing else', () => {
    const frame = randomImage(64, 48, 3, 1);
    const before = Uint8Array.from(frame.data);
    const crop = randomImage(16, 12, 3, 2);
    const region = pasteBack(frame, crop, affine(1, 0, 20, 0, 1, 10), new Float32Array(16 * 12).fill(1));
    // Visited: the crop's footprint grown by one pixel (where the mask fades to 0).
    expect(region).toEqual({ x: 19, y: 9, width: 18, height: 14 });
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < 64; x++) {
        const inside = x >= 20 && x < 36 && y >= 10 && y < 22;
        for (let c = 0; c < 3; c++) {
          const expected = inside ? px(crop, x - 20, y - 10, c) : before[(y * 64 + x) * 3 + c];
          expect(px(frame, x, y, c)).toBe(expected);
        }
      }
    }
  });

  it('under rotation + scale, leaves every pixel outside the bounding box byte-identical', () => {
    const frame = randomImage(200, 150, 3, 3);
    const before = Uint8Array.from(frame.data);
    const crop = randomImage(64, 64, 3, 4);
    // Crop pixel → frame pixel: rotate 30°, scale 0.5, centre of the crop at (120, 70).
    const cropToFrame = similarityAffine(30, 0.5, [32, 32], [120 - 32, 70 - 32]);
    const region = pasteBack(frame, crop, cropToFrame, blurredBoxMask(64, 64, { zero: 4, sigma: 2 }));
    // Bounding box computed here from the crop corners, one pixel out.
    const corners = [
      [-1, -1],
      [64, -1],
      [-1, 64],
      [64, 64],
    ].map((p) => applyAffine(cropToFrame, p));
    const x0 = Math.floor(Math.min(...corners.map((p) => p[0])));
    const x1 = Math.ceil(Math.max(...corners.map((p) => p[0])));
    const y0 = Math.floor(Math.min(...corners.map((p) => p[1])));
    const y1 = Math.ceil(Math.max(...corners.map((p) => p[1])));
    expect(region).toEqual({ x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 });
    let changedInside = 0;
    let changedOutside = 0;
    for (let y = 0; y < 150; y++) {
      for (let x = 0; x < 200; x++) {
        const inBox = x >= x0 && x <= x1 && y >= y0 && y <= y1;
        for (let c = 0; c < 3; c++) {
          const i = (y * 200 + x) * 3 + c;
          if (frame.data[i] === before[i]) continue;
          if (inBox) changedInside++;
          else changedOutside++;
        }
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(1000);
    // At the crop centre the mask is 1: the pixel equals the warped crop there.
    const warped = warpAffine(crop, cropToFrame, 200, 150, { border: 'replicate' });
    expect(px(frame, 120, 70, 1)).toBe(px(warped, 120, 70, 1));
    // Maps the crop centre where intended.
    const [cx, cy] = applyAffine(invertAffine(cropToFrame), [120, 70]);
    expect(cx).toBeCloseTo(32, 9);
    expect(cy).toBeCloseTo(32, 9);
  });

  it('blends by the mask value: 0.25 of the way from frame to crop', () => {
    const frame = createImage(10, 10, 4);
    frame.data.fill(100);
    const crop = createImage(4, 4, 3);
    crop.data.fill(200);
    pasteBack(frame, crop, affine(1, 0, 3, 0, 1, 3), new Float32Array(16).fill(0.25));
    expect(px(frame, 4, 4, 0)).toBe(125);
    expect(px(frame, 4, 4, 2)).toBe(125);
    expect(px(frame, 4, 4, 3)).toBe(100); // frame alpha untouched
    expect(px(frame, 0, 0, 0)).toBe(100);
    // Half way from 100 to 201 is 150.5, which rounds half up.
    const odd = createImage(10, 10, 3);
    odd.data.fill(100);
    pasteBack(
      odd,
      { ...crop, data: new Uint8Array(48).fill(201) },
      affine(1, 0, 3, 0, 1, 3),
      new Float32Array(16).fill(0.5),
    );
    expect(px(odd, 4, 4, 1)).toBe(151);
  });

  it('does nothing when the crop lands outside the frame, and rejects a wrong-size or invalid mask', () => {
    const frame = randomImage(20, 20, 3, 5);
    const before = Uint8Array.from(frame.data);
    const crop = randomImage(8, 8, 3, 6);
    const region = pasteBack(frame, crop, affine(1, 0, 100, 0, 1, 100), new Float32Array(64).fill(1));
    expect(region.width * region.height).toBe(0);
    expect(Buffer.from(frame.data).equals(Buffer.from(before))).toBe(true);
    expect(() => pasteBack(frame, crop, affine(1, 0, 0, 0, 1, 0), new Float32Array(63))).toThrow(/63 values/);
    const nan = new Float32Array(64).fill(1);
    nan[5] = Number.NaN;
    expect(() => pasteBack(frame, crop, affine(1, 0, 0, 0, 1, 0), nan)).toThrow(/outside 0..1/);
  });
});
