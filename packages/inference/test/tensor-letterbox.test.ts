import { describe, expect, it } from 'vitest';
import { createImage, decodeImage } from '../src/image/index.ts';
import { letterbox, letterboxPoint, unletterboxPoint } from '../src/tensor/index.ts';
import { ASTRONAUT } from '../src/testing.ts';

describe('letterbox', () => {
  it('fits a 300×200 image into 128² centred, and maps a point there and back', async () => {
    // A white 30×20 block at x 150..180, y 60..80 on black.
    const img = createImage(300, 200, 3);
    for (let y = 60; y < 80; y++) img.data.fill(255, (y * 300 + 150) * 3, (y * 300 + 180) * 3);
    const lb = letterbox(img, 128);
    expect([lb.image.width, lb.image.height, lb.image.channels]).toEqual([128, 128, 3]);
    // scale 128/300; the 200 px side becomes round(85.33) = 85 rows; (128 − 85)/2 → 21 rows on top.
    expect(lb.scale).toBeCloseTo(128 / 300, 12);
    expect([lb.padX, lb.padY]).toEqual([0, 21]);
    const [x, y] = letterboxPoint(lb, [165, 70]);
    expect(x).toBeCloseTo(70.4, 9);
    expect(y).toBeCloseTo(70 * (128 / 300) + 21, 9);
    const [ox, oy] = unletterboxPoint(lb, [x, y]);
    expect(ox).toBeCloseTo(165, 9);
    expect(oy).toBeCloseTo(70, 9);
    // The block's centre lands where the point maps to, and the padding is the fill.
    const at = (px: number, py: number) => lb.image.data[(py * 128 + px) * 3] ?? -1;
    expect(at(Math.floor(x), Math.floor(y))).toBeGreaterThan(200);
    expect(at(Math.floor(x) - 10, Math.floor(y))).toBeLessThan(30);
    expect(at(64, 10)).toBe(0);
    expect(at(64, 127)).toBe(0);
  });

  it('pads right/bottom with position top-left and a fill value (SCRFD style)', async () => {
    const img = createImage(100, 50, 3);
    img.data.fill(200);
    const lb = letterbox(img, { width: 64, height: 64 }, { position: 'top-left', fill: 7 });
    expect([lb.padX, lb.padY]).toEqual([0, 0]);
    expect(lb.image.data[(31 * 64 + 63) * 3]).toBe(200); // last content row
    expect(lb.image.data[(32 * 64 + 0) * 3]).toBe(7); // first padding row
    expect(unletterboxPoint(lb, [64, 32])).toEqual([100, 50]);
  });

  it('letterboxes the astronaut photo for BlazeFace (512² → 128², no padding)', async () => {
    const img = await decodeImage(ASTRONAUT);
    const lb = letterbox(img, 128);
    expect([lb.scale, lb.padX, lb.padY]).toEqual([0.25, 0, 0]);
    expect(unletterboxPoint(lb, [64, 32])).toEqual([256, 128]);
  });
});
