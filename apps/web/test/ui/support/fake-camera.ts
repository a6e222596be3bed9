// A camera for Chromium's fake capture device (--use-file-for-fake-video-capture): the astronaut
// photo drifting and nodding across the picture, as a Y4M file (raw YUV 4:2:0, which Chromium
// loops). Written here from sharp's pixels, so the test needs no ffmpeg.
import { open } from 'node:fs/promises';
import { astronautCameraFrames } from '@visage/plugins/testing';
import sharp from 'sharp';

/** RGB → BT.601 limited-range YUV 4:2:0 (chroma averaged over each 2×2 block). */
function toI420(rgb: Buffer, width: number, height: number): Buffer {
  const out = Buffer.alloc((width * height * 3) / 2);
  const uOffset = width * height;
  const vOffset = uOffset + (width * height) / 4;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[y * width + x] = Math.round(
        16 +
          (65.481 * rgb.readUInt8(i) + 128.553 * rgb.readUInt8(i + 1) + 24.966 * rgb.readUInt8(i + 2)) / 255,
      );
    }
  for (let y = 0; y < height; y += 2)
    for (let x = 0; x < width; x += 2) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const i = ((y + dy) * width + x + dx) * 3;
        r += rgb.readUInt8(i) / 4;
        g += rgb.readUInt8(i + 1) / 4;
        b += rgb.readUInt8(i + 2) / 4;
      }
      const c = (y / 2) * (width / 2) + x / 2;
      out[uOffset + c] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      out[vOffset + c] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  return out;
}

/** Writes `seconds` of camera at `fps` to `file` (a 2 s loop by default: 30 frames at 15 fps). */
export async function writeFakeCamera(
  file: string,
  { width = 640, height = 480, fps = 15, seconds = 2 } = {},
) {
  const frames = await astronautCameraFrames({ count: fps * seconds, width, height, quality: 95 });
  const handle = await open(file, 'w');
  try {
    await handle.write(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`);
    for (const jpeg of frames) {
      const rgb = await sharp(jpeg).removeAlpha().raw().toBuffer();
      await handle.write('FRAME\n');
      await handle.write(toI420(rgb, width, height));
    }
  } finally {
    await handle.close();
  }
}
