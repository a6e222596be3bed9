// Camera pictures made from the public-domain astronaut photo, for the live tests and bench: the
// photo moves across a width×height frame (a head drifting left and right and nodding), encoded
// as JPEG the way the browser's canvas would send it.
import sharp from 'sharp';
import { ASTRONAUT } from './clips.ts';

export async function astronautCameraFrames({
  count = 30,
  width = 640,
  height = 480,
  quality = 80,
} = {}): Promise<Buffer[]> {
  const face = Math.round(Math.min(width, height) * 0.9);
  const photo = await sharp(ASTRONAUT).resize(face, face).removeAlpha().toBuffer();
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const phase = (2 * Math.PI * i) / count;
    const left = Math.round((width - face) / 2 + Math.sin(phase) * (width - face) * 0.4);
    const top = Math.round((height - face) / 2 + Math.cos(phase) * (height - face) * 0.4);
    frames.push(
      await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 44, b: 52 } } })
        .composite([{ input: photo, left, top }])
        .jpeg({ quality })
        .toBuffer(),
    );
  }
  return frames;
}
