// Side-by-side output: the driving picture scaled to the result's height, then the result.
import { type Picture, type RgbImage, resizeImage, toRgb } from '@visage/inference';

export async function sideBySide(left: Picture, right: Picture): Promise<RgbImage> {
  const rgb = toRgb(right);
  const height = rgb.height;
  const width = Math.max(2, Math.round((left.width * height) / left.height / 2) * 2); // even, for H.264
  const scaled = await resizeImage(toRgb(left), width, height);
  const out = {
    width: width + rgb.width,
    height,
    channels: 3 as const,
    data: new Uint8Array((width + rgb.width) * height * 3),
  };
  const rowOut = out.width * 3;
  for (let y = 0; y < height; y++) {
    out.data.set(scaled.data.subarray(y * width * 3, (y + 1) * width * 3), y * rowOut);
    out.data.set(rgb.data.subarray(y * rgb.width * 3, (y + 1) * rgb.width * 3), y * rowOut + width * 3);
  }
  return out;
}
