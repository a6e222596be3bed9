// Fixture makers for tests of the media store (here and in packages that upload through it).
import { run } from '@visage/ffmpeg';
import sharp from 'sharp';

/** A width×height image of one colour (vary `colour` to get different bytes). */
export function imageBytes(
  format: 'png' | 'jpeg' | 'webp',
  width: number,
  height: number,
  colour = { r: 200, g: 60, b: 30 },
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .toFormat(format)
    .toBuffer();
}

/** Random pixels: compresses badly, so a small image still has many bytes. */
export function noiseImageBytes(width: number, height: number): Promise<Buffer> {
  const noise = { type: 'gaussian', mean: 128, sigma: 40 } as const;
  return sharp({ create: { width, height, channels: 3, background: '#000', noise } })
    .png()
    .toBuffer();
}

export interface VideoFixture {
  container: 'mp4' | 'webm' | 'mkv' | 'mov';
  seconds?: number;
  width?: number;
  height?: number;
  fps?: number;
  audio?: boolean;
  video?: boolean;
}

/** Writes a test-pattern video (H.264/AAC, or VP9/Opus for WebM) with ffmpeg. */
export async function writeVideo(out: string, fixture: VideoFixture): Promise<void> {
  const { container, seconds = 2, width = 320, height = 240, fps = 25, audio = true, video = true } = fixture;
  const webm = container === 'webm';
  const args = ['-v', 'error', '-nostdin', '-y'];
  if (video) args.push('-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}`);
  if (audio) args.push('-f', 'lavfi', '-i', 'sine');
  args.push('-t', String(seconds));
  if (video) {
    args.push(
      ...(webm ? ['-c:v', 'libvpx-vp9', '-b:v', '200k'] : ['-c:v', 'libx264']),
      '-pix_fmt',
      'yuv420p',
    );
  }
  if (audio) args.push('-c:a', webm ? 'libopus' : 'aac');
  const format = { mp4: 'mp4', webm: 'webm', mkv: 'matroska', mov: 'mov' }[container];
  await run('ffmpeg', [...args, '-f', format, out], `Cannot write test video "${out}"`);
}

/** Yields `bytes` in `size`-byte chunks and records how far a consumer read. */
export function chunked(bytes: Uint8Array, size: number) {
  const progress = { yielded: 0, closed: false };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (let offset = 0; offset < bytes.byteLength; offset += size) {
        progress.yielded++;
        yield bytes.subarray(offset, offset + size);
      }
    } finally {
      progress.closed = true;
    }
  }
  return { source: chunks(), progress };
}
