import { createImage, type RgbImage } from '../../src/image/index.ts';

/** An image of seeded pseudo-random bytes: the same for a seed on every run. */
export function randomImage(width: number, height: number, channels: 3 | 4, seed: number): RgbImage {
  const img = createImage(width, height, channels);
  let a = seed;
  for (let i = 0; i < img.data.length; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    img.data[i] = a >>> 24;
  }
  return img;
}
