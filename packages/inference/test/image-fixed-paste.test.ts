// FixedPaste against pasteBack: the same placement and mask, the crop as float planes instead of bytes.
import { describe, expect, it } from 'vitest';
import { affine, FixedPaste, fromCHW, pasteBack, type RgbImage, similarityAffine } from '../src/index.ts';
import { randomImage } from './support/images.ts';

/** A crop as W+G gives it: CHW planes in 0..1. */
function randomPlanes(width: number, height: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: 3 * width * height }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

/** A mask that ramps from 0 at the edge to 1 in 4 pixels (like LivePortrait's, smaller). */
function rampMask(width: number, height: number): Float32Array {
  const mask = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      mask[y * width + x] = Math.min(1, Math.min(x, y, width - 1 - x, height - 1 - y) / 4);
  return mask;
}

const clone = (img: RgbImage): RgbImage => ({ ...img, data: Uint8Array.from(img.data) });

describe('FixedPaste', () => {
  it('should give pasteBack’s result within one level under rotation and scale, and touch nothing else', () => {
    const frame = randomImage(160, 120, 3, 5);
    const planes = randomPlanes(48, 40, 7);
    const mask = rampMask(48, 40);
    const cropToFrame = similarityAffine(25, 1.7, [0, 0], [70, 20]); // crop → frame: rotated 25°, 1.7× larger;
    const expected = clone(frame);
    const region = pasteBack(expected, fromCHW(planes, 48, 40, { scale: 1 / 255 }), cropToFrame, mask);
    const paste = new FixedPaste(frame, { width: 48, height: 40 }, cropToFrame, mask);
    expect(paste.region).toEqual(region);
    const got = clone(frame);
    paste.apply(got, planes);
    let differing = 0;
    for (let i = 0; i < got.data.length; i++) {
      const d = Math.abs((got.data[i] as number) - (expected.data[i] as number));
      expect(d).toBeLessThanOrEqual(1); // pasteBack rounds the crop to bytes first; this does not
      if (d > 0) differing++;
    }
    expect(differing).toBeLessThan(got.data.length * 0.2);
    // Outside the visited rectangle: byte-identical.
    for (let y = 0; y < 120; y++) {
      for (let x = 0; x < 160; x++) {
        const inside =
          x >= region.x && x < region.x + region.width && y >= region.y && y < region.y + region.height;
        if (inside) continue;
        for (let c = 0; c < 3; c++)
          expect(got.data[(y * 160 + x) * 3 + c]).toBe(frame.data[(y * 160 + x) * 3 + c]);
      }
    }
  });

  it('should write an all-white crop as the mask’s ramp over black, at an integer offset exactly', () => {
    const frame: RgbImage = { width: 40, height: 30, channels: 3, data: new Uint8Array(40 * 30 * 3) };
    const mask = rampMask(16, 12);
    const paste = new FixedPaste(frame, { width: 16, height: 12 }, affine(1, 0, 10, 0, 1, 5), mask);
    paste.apply(frame, new Float32Array(3 * 16 * 12).fill(1));
    for (let y = 0; y < 30; y++) {
      for (let x = 0; x < 40; x++) {
        const inside = x >= 10 && x < 26 && y >= 5 && y < 17;
        const expected = inside ? Math.round(255 * (mask[(y - 5) * 16 + (x - 10)] as number)) : 0;
        expect(frame.data[(y * 40 + x) * 3]).toBe(expected);
      }
    }
    expect(paste.pixels).toBe(mask.filter((m) => m > 0).length); // pixels of weight 0 are not visited
  });

  it('should clamp values past 0..1, keep a frame’s alpha, and refuse NaN, a wrong frame or a wrong crop', () => {
    const frame: RgbImage = { width: 8, height: 8, channels: 4, data: new Uint8Array(8 * 8 * 4).fill(100) };
    const paste = new FixedPaste(
      frame,
      { width: 4, height: 4 },
      affine(1, 0, 2, 0, 1, 2),
      new Float32Array(16).fill(1),
    );
    const planes = new Float32Array(48);
    planes.fill(2, 0, 16); // red 510 → 255
    planes.fill(-1, 16, 32); // green −255 → 0
    planes.fill(0.5, 32, 48);
    paste.apply(frame, planes);
    expect([...frame.data.subarray((3 * 8 + 3) * 4, (3 * 8 + 3) * 4 + 4)]).toEqual([255, 0, 128, 100]);
    planes[20] = Number.NaN;
    expect(() => paste.apply(frame, planes)).toThrow(/NaN/);
    expect(() => paste.apply({ ...frame, width: 4, height: 16 }, planes)).toThrow(/made for a 8×8×4 frame/);
    expect(() => paste.apply(frame, new Float32Array(47))).toThrow(/48 crop values expected/);
    expect(
      () => new FixedPaste(frame, { width: 4, height: 4 }, affine(1, 0, 0, 0, 1, 0), new Float32Array(15)),
    ).toThrow(/mask has 15 values/);
  });
});
