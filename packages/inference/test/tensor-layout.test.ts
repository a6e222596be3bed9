import { describe, expect, it } from 'vitest';
import { createImage } from '../src/image/index.ts';
import { fromCHW, NORMALIZE, toCHW, toHWCFloat } from '../src/tensor/index.ts';
import { randomImage } from './support/images.ts';

describe('toCHW', () => {
  it('normalises a pixel as ArcFace does: (x − 127.5)/127.5, planar NCHW (hand-computed)', () => {
    const img = createImage(3, 2, 3);
    img.data.set([200, 100, 0], (1 * 3 + 2) * 3); // pixel (x 2, y 1)
    const t = toCHW(img, NORMALIZE.arcface);
    expect(t).toHaveLength(3 * 2 * 3);
    const plane = 6;
    const p = 1 * 3 + 2;
    expect(t[p]).toBeCloseTo(72.5 / 127.5, 6); // 0.568627…
    expect(t[plane + p]).toBeCloseTo(-27.5 / 127.5, 6); // −0.215686…
    expect(t[2 * plane + p]).toBeCloseTo(-1, 6);
    expect(t[0]).toBeCloseTo(-1, 6); // a black pixel
  });

  it('covers the 0..1 and [−1, 1] conventions, per-channel mean/std and BGR order', () => {
    const img = createImage(1, 1, 4);
    img.data.set([255, 51, 0, 9]);
    expect(Array.from(toCHW(img, NORMALIZE.unit))).toEqual([1, 0.2, 0].map(Math.fround));
    const sym = toCHW(img, NORMALIZE.symmetric);
    expect(Array.from(sym).map((v) => Number(v.toFixed(6)))).toEqual([1, -0.6, -1]);
    const imagenet = toCHW(img, { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    expect(imagenet[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(imagenet[1]).toBeCloseTo((0.2 - 0.456) / 0.224, 5);
    expect(Array.from(toCHW(img, { channelOrder: 'bgr' }))).toEqual([0, 51, 255]);
  });

  it('round-trips through fromCHW exactly for every convention', () => {
    const img = randomImage(17, 11, 3, 9);
    for (const norm of [NORMALIZE.arcface, NORMALIZE.unit, NORMALIZE.symmetric, NORMALIZE.scrfd, {}]) {
      const back = fromCHW(toCHW(img, norm), 17, 11, norm);
      expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
    }
    const bgr = fromCHW(toCHW(img, { channelOrder: 'bgr' }), 17, 11, { channelOrder: 'bgr' });
    expect(Buffer.from(bgr.data).equals(Buffer.from(img.data))).toBe(true);
    // A 4-channel image loses its alpha.
    const rgba = randomImage(5, 4, 4, 3);
    const rgb = fromCHW(toCHW(rgba), 5, 4);
    for (let p = 0; p < 20; p++) {
      expect(Array.from(rgb.data.subarray(p * 3, p * 3 + 3))).toEqual(
        Array.from(rgba.data.subarray(p * 4, p * 4 + 3)),
      );
    }
  });

  it('reuses an output buffer and checks its length', () => {
    const img = randomImage(4, 4, 3, 1);
    const out = new Float32Array(48);
    expect(toCHW(img, { out })).toBe(out);
    expect(() => toCHW(img, { out: new Float32Array(47) })).toThrow(/47 values, expected 48/);
    expect(() => toCHW(img, { std: 0 })).toThrow(/non-zero/);
  });
});

describe('fromCHW', () => {
  it('clamps overshooting model outputs by default, throws on them with clamp: false, always on NaN', () => {
    // GFPGAN-style output in [−1, 1] with overshoot: −1.2 → 0, 1.3 → 255, 0 → 127.5 → 128.
    const t = Float32Array.of(-1.2, 1.3, 0);
    const img = fromCHW(t, 1, 1, NORMALIZE.symmetric);
    expect(Array.from(img.data)).toEqual([0, 255, 128]);
    expect(() => fromCHW(t, 1, 1, { ...NORMALIZE.symmetric, clamp: false })).toThrow(/outside 0..255/);
    expect(() => fromCHW(Float32Array.of(0, Number.NaN, 0), 1, 1)).toThrow(/NaN/);
    expect(() => fromCHW(new Float32Array(5), 1, 2)).toThrow(/has 6 values, got 5/);
  });
});

describe('toHWCFloat', () => {
  it('writes interleaved [1, H, W, 3] in [−1, 1] for BlazeFace', () => {
    const img = createImage(2, 1, 3);
    img.data.set([0, 255, 51, 255, 0, 102]);
    const t = toHWCFloat(img, NORMALIZE.symmetric);
    expect(Array.from(t).map((v) => Number(v.toFixed(6)))).toEqual([-1, 1, -0.6, 1, -1, -0.2]);
    expect(Array.from(toHWCFloat(img, NORMALIZE.unit)).map((v) => Number(v.toFixed(6)))).toEqual([
      0, 1, 0.2, 1, 0, 0.4,
    ]);
  });
});
