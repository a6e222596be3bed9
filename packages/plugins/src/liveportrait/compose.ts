// Side-by-side output: the driving picture scaled to the result's height, then the result.
import { type RgbImage, resizeImage } from '@visage/inference';

export async function sideBySide(left: RgbImage, right: RgbImage): Promise<RgbImage> {
  const height = right.height;
  const width = Math.max(2, Math.round((left.width * height) / left.height / 2) * 2); // even, for H.264
  const scaled = await resizeImage(left, width, height);
  const out = {
    width: width + right.width,
    height,
    channels: 3 as const,
    data: new Uint8Array((width + right.width) * height * 3),
  };
  const rowOut = out.width * 3;
  for (let y = 0; y < height; y++) {
    out.data.set(scaled.data.subarray(y * width * 3, (y + 1) * width * 3), y * rowOut);
    out.data.set(right.data.subarray(y * right.width * 3, (y + 1) * right.width * 3), y * rowOut + width * 3);
  }
  return out;
}
