// Camera frames in, processed frames out: JPEG/WebP ↔ RGB through sharp (libvips, off the main thread).
import type { FrameFormat } from '@visage/db/live';
import type { RgbImage } from '@visage/inference';
import sharp from 'sharp';

/** Decodes one frame to RGB (alpha dropped); throws on bytes that are not an image. */
export async function decodeFrameImage(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data };
}

export async function encodeFrameImage(image: RgbImage, format: FrameFormat): Promise<Uint8Array> {
  const raw = sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
  // Quality 80 keeps a 640×480 frame near 40 kB; chroma subsampling as the browser's own encoder does.
  return format === 'webp'
    ? raw.webp({ quality: 80, effort: 0 }).toBuffer()
    : raw.jpeg({ quality: 80 }).toBuffer();
}
