import { describe, expect, it } from 'vitest';
import {
  type Affine,
  affine,
  createImage,
  identityAffine,
  invertAffine,
  type RgbImage,
  resizeLinear,
  similarityAffine,
  warpAffine,
} from '../src/image/index.ts';
import { randomImage } from './support/images.ts';

// Smooth test image: low-frequency sinusoids per channel, well inside 0..255.
function smoothImage(size: number): RgbImage {
  const img = createImage(size, size, 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      img.data[o] = Math.round(128 + 100 * Math.sin(x / 9) * Math.cos(y / 13));
      img.data[o + 1] = Math.round(128 + 90 * Math.cos((x + y) / 17));
      img.data[o + 2] = Math.round(40 + (150 * x) / size);
    }
  }
  return img;
}

const px = (img: RgbImage, x: number, y: number, c = 0) => img.data[(y * img.width + x) * img.channels + c];

/** cv2.warpAffine's bilinear rule written plainly, one pixel at a time: what the fast paths must equal. */
function referenceWarp(
  src: RgbImage,
  m: Affine,
  width: number,
  height: number,
  border: 'constant' | 'replicate',
  fill: number,
): Uint8Array {
  const inv = invertAffine(m);
  const ch = src.channels;
  const out = new Uint8Array(width * height * ch);
  const at = (x: number, y: number, c: number) => {
    if (border === 'replicate') {
      const cx = Math.min(src.width - 1, Math.max(0, x));
      const cy = Math.min(src.height - 1, Math.max(0, y));
      return src.data[(cy * src.width + cx) * ch + c] as number;
    }
    return x < 0 || y < 0 || x >= src.width || y >= src.height
      ? fill
      : (src.data[(y * src.width + x) * ch + c] as number);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = (inv[0] as number) * x + ((inv[1] as number) * y + (inv[2] as number));
      const sy = (inv[3] as number) * x + ((inv[4] as number) * y + (inv[5] as number));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const w11 = fx * fy;
      const w10 = fx - w11;
      const w01 = fy - w11;
      const w00 = 1 - fx - fy + w11;
      for (let c = 0; c < ch; c++) {
        out[(y * width + x) * ch + c] =
          (at(x0, y0, c) * w00 +
            at(x0 + 1, y0, c) * w10 +
            at(x0, y0 + 1, c) * w01 +
            at(x0 + 1, y0 + 1, c) * w11 +
            0.5) |
          0;
      }
    }
  }
  return out;
}

describe('warpAffine', () => {
  it('equals the plain per-pixel rule bit for bit: crops and resizes (axis-aligned) and rotations, both borders', () => {
    const src = randomImage(61, 47, 3, 11);
    const cases: [string, Affine][] = [
      ['zoom out, shifted (a driving crop)', affine(0.37, 0, -3.2, 0, 0.37, 2.7)],
      ['zoom in past the edges', affine(2.3, 0, -20.5, 0, 1.7, -9.25)],
      ['mirrored', affine(-1, 0, 60, 0, 1, 0)],
      ['rotated and scaled', similarityAffine(17, 0.8, [30, 20], [5, -4])],
    ];
    for (const [name, m] of cases) {
      for (const border of ['constant', 'replicate'] as const) {
        const got = warpAffine(src, m, 40, 33, { border, fill: 77 });
        expect(
          Buffer.from(got.data).equals(Buffer.from(referenceWarp(src, m, 40, 33, border, 77))),
          `${name}, ${border}`,
        ).toBe(true);
      }
    }
  });

  it('reproduces the image exactly under the identity (3 and 4 channels)', () => {
    for (const channels of [3, 4] as const) {
      const src = randomImage(37, 23, channels, 1);
      const out = warpAffine(src, identityAffine(), 37, 23);
      expect(out.channels).toBe(channels);
      expect(Buffer.from(out.data).equals(Buffer.from(src.data))).toBe(true);
    }
  });

  it('shifts pixels exactly under an integer translation; uncovered pixels get the border', () => {
    const src = randomImage(20, 15, 3, 2);
    const m = affine(1, 0, 3, 0, 1, -2); // dst(x, y) = src(x − 3, y + 2)
    const constant = warpAffine(src, m, 20, 15, { fill: 77 });
    const replicate = warpAffine(src, m, 20, 15, { border: 'replicate' });
    for (let y = 0; y < 15; y++) {
      for (let x = 0; x < 20; x++) {
        for (let c = 0; c < 3; c++) {
          const sx = x - 3;
          const sy = y + 2;
          const inside = sx >= 0 && sy < 15;
          expect(px(constant, x, y, c)).toBe(inside ? px(src, sx, sy, c) : 77);
          expect(px(replicate, x, y, c)).toBe(px(src, Math.max(0, sx), Math.min(14, sy), c));
        }
      }
    }
  });

  it('samples bilinearly: half a pixel gives the neighbours’ average (hand-computed)', () => {
    // 3×2 single-colour rows: red channel 10 20 30 / 50 60 71.
    const src = createImage(3, 2, 3);
    [10, 20, 30, 50, 60, 71].forEach((v, i) => {
      src.data[i * 3] = v;
    });
    const half = warpAffine(src, affine(1, 0, 0.5, 0, 1, 0), 3, 2, { border: 'replicate' });
    expect(px(half, 1, 0)).toBe(15); // (10 + 20)/2
    expect(px(half, 2, 0)).toBe(25); // (20 + 30)/2
    expect(px(half, 2, 1)).toBe(66); // (60 + 71)/2 = 65.5 rounds half up
    const quarter = warpAffine(src, affine(1, 0, 0.5, 0, 1, 0.5), 3, 2, { border: 'replicate' });
    expect(px(quarter, 1, 1)).toBe(35); // (10 + 20 + 50 + 60)/4
    // With a constant border the outside neighbours count as the fill: (0 + 10)/2 = 5 at x = 0.
    const edge = warpAffine(src, affine(1, 0, 0.5, 0, 1, 0), 3, 2, { fill: 0 });
    expect(px(edge, 0, 0)).toBe(5);
  });

  it('a rotation + zoom followed by its inverse reproduces the interior (MAE < 0.5 on 0..255)', () => {
    const size = 96;
    const src = smoothImage(size);
    const m = similarityAffine(17, 1.15, [size / 2, size / 2], [2.3, -1.7]);
    const there = warpAffine(src, m, size, size, { border: 'replicate' });
    const back = warpAffine(there, invertAffine(m), size, size, { border: 'replicate' });
    let sum = 0;
    let count = 0;
    for (let y = 16; y < size - 16; y++) {
      for (let x = 16; x < size - 16; x++) {
        for (let c = 0; c < 3; c++) {
          sum += Math.abs((px(back, x, y, c) ?? 0) - (px(src, x, y, c) ?? 0));
          count++;
        }
      }
    }
    expect(sum / count).toBeLessThan(0.5);
    // Warping twice forward instead (a wrong inverse) is far off: the check can fail.
    const twice = warpAffine(there, m, size, size, { border: 'replicate' });
    let wrong = 0;
    for (let i = 0; i < src.data.length; i++) wrong += Math.abs((twice.data[i] ?? 0) - (src.data[i] ?? 0));
    expect(wrong / src.data.length).toBeGreaterThan(10);
  });

  it('writes into a reused output buffer and checks its shape', () => {
    const src = randomImage(8, 8, 3, 3);
    const out = createImage(5, 4, 3);
    const result = warpAffine(src, affine(1, 0, -2, 0, 1, -1), 5, 4, { out });
    expect(result).toBe(out);
    expect(px(out, 0, 0)).toBe(px(src, 2, 1));
    expect(() => warpAffine(src, identityAffine(), 6, 4, { out })).toThrow(/out is 5×4×3/);
    expect(() => warpAffine(src, affine(0, 0, 0, 0, 0, 0), 5, 4)).toThrow(/singular/);
  });
});

describe('resizeLinear', () => {
  const row = (values: number[]) => ({
    width: values.length,
    height: 1,
    channels: 3 as const,
    data: Uint8Array.from(values.flatMap((v) => [v, v, v])),
  });
  const reds = (img: { data: Uint8Array }) => Array.from(img.data.filter((_, i) => i % 3 === 0));

  it("should shrink as cv2.resize's INTER_LINEAR does: centres at (x + 0.5)·2 − 0.5", () => {
    // Output pixel 0 samples source 0.5, pixel 1 samples 2.5: the means of the neighbours.
    expect(reds(resizeLinear(row([0, 100, 200, 250]), 2, 1))).toEqual([50, 225]);
  });

  it('should enlarge with the edges replicated, as cv2 clamps them', () => {
    // Centres at (x + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25.
    expect(reds(resizeLinear(row([0, 100]), 4, 1))).toEqual([0, 25, 75, 100]);
  });
});
