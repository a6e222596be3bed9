// Small WebP previews: an image's thumbnail or a video's poster frame, fitted inside 512×512.
import { basename } from 'node:path';
import { run } from '@visage/ffmpeg';
import sharp, { type Sharp } from 'sharp';
import { MediaError, type MediaSubject } from './errors.ts';
import { asMediaError } from './probe.ts';

export const THUMBNAIL_SIZE = 512;

function fitted(image: Sharp): Sharp {
  return image
    .resize({ width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE, fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 });
}

/** Writes `out` (WebP) from an image file already checked by probeImage. */
export async function writeImageThumbnail(source: string, out: string): Promise<void> {
  try {
    await fitted(sharp(source, { failOn: 'truncated', autoOrient: true })).toFile(out);
  } catch (error) {
    throw new Error(`Could not write the thumbnail of ${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Writes `out` (WebP) from the frame at min(1 s, half the duration), so short clips still get one. */
export async function writeVideoPoster(
  source: string,
  durationMs: number,
  out: string,
  subject: MediaSubject = {},
): Promise<void> {
  const atMs = Math.min(1000, durationMs / 2);
  // Seeking can land past the last decodable frame (ffmpeg then prints nothing): fall back to the first.
  let frame = await grabFrame(source, atMs, subject);
  if (frame.byteLength === 0 && atMs > 0) frame = await grabFrame(source, 0, subject);
  if (frame.byteLength === 0) {
    throw MediaError.corrupt({ what: 'video', ...subject }, 'no frame could be decoded');
  }
  try {
    await fitted(sharp(frame)).toFile(out);
  } catch (error) {
    throw new Error(`Could not write the poster of ${source}: ${(error as Error).message}`, { cause: error });
  }
}

/** One frame as PNG, already scaled by ffmpeg so the buffer stays small whatever the video's size. */
async function grabFrame(source: string, atMs: number, subject: MediaSubject): Promise<Buffer> {
  // Square pixels first (anamorphic video), then fit inside the box; ffmpeg applies rotation itself.
  const fit = `scale=iw*sar:ih,setsar=1,scale=w=min(${THUMBNAIL_SIZE}\\,iw):h=min(${THUMBNAIL_SIZE}\\,ih):force_original_aspect_ratio=decrease`;
  const args = ['-v', 'error', '-nostdin', '-ss', (atMs / 1000).toFixed(3), '-i', source];
  // 0:V skips cover art ("attached pictures"), which is not a frame of the video.
  args.push('-map', '0:V:0', '-frames:v', '1', '-vf', fit, '-f', 'image2pipe', '-c:v', 'png', 'pipe:1');
  try {
    return await run('ffmpeg', args, `Cannot grab a frame of "${basename(source)}"`);
  } catch (error) {
    throw asMediaError(error, source, { what: 'video', ...subject });
  }
}
