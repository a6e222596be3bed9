// Makes small videos with ffmpeg for the video tests and benchmarks (exported from ./testing only).
import { run } from './process.ts';

export interface PatternOptions {
  width?: number;
  height?: number;
  fps?: number;
  seconds?: number;
  /** Add a 440 Hz sine as AAC. */
  audio?: boolean;
}

/** ffmpeg's moving `testsrc` pattern (colour bars, a frame counter, a sweeping gradient), H.264. */
export async function makeTestPattern(outPath: string, options: PatternOptions = {}): Promise<void> {
  const { width = 320, height = 240, fps = 25, seconds = 2, audio = true } = options;
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  args.push('-f', 'lavfi', '-i', `testsrc=size=${width}x${height}:rate=${fps}`);
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push(
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '16',
    '-pix_fmt',
    'yuv420p',
  );
  if (audio) args.push('-c:a', 'aac');
  await run('ffmpeg', [...args, outPath], `Cannot make test video "${outPath}"`);
}

export interface PhotoMotionOptions {
  /** Output size: a side (square) or width × height. */
  size?: number | { width: number; height: number };
  fps?: number;
  seconds?: number;
}

/** A real photo with motion: a slow zoom (1.1× → 1.4×) that drifts right and down, the face in view. */
export async function makePhotoMotion(
  outPath: string,
  photo: string,
  options: PhotoMotionOptions = {},
): Promise<void> {
  const { size = 256, fps = 25, seconds = 2 } = options;
  const { width, height } = typeof size === 'number' ? { width: size, height: size } : size;
  const p = `on/${Math.round(fps * seconds)}`; // progress 0 → 1 over the output frames
  // Cut the photo to the output's aspect ratio first: zoompan would stretch it.
  const crop = `crop=w='min(iw,ih*${width}/${height})':h='min(ih,iw*${height}/${width})'`;
  const zoom = `${crop},zoompan=z='1.1+0.3*${p}':x='(iw-iw/zoom)*(0.3+0.2*${p})':y='(ih-ih/zoom)*0.1*${p}'`;
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-framerate',
    String(fps),
    '-i',
    photo,
  ];
  args.push('-vf', `${zoom}:d=1:s=${width}x${height}:fps=${fps},format=yuv420p`, '-t', String(seconds));
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', outPath);
  await run('ffmpeg', args, `Cannot make test video "${outPath}"`);
}

/** A copy of `source` tagged as rotated 90° (what phones write), without re-encoding. */
export async function writeRotated(source: string, out: string): Promise<void> {
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-i', source, '-c', 'copy'];
  await run('ffmpeg', [...args, '-metadata:s:v', 'rotate=90', out], `Cannot make test video "${out}"`);
}

export interface ColourPatternOptions {
  width?: number;
  height?: number;
  /** ffmpeg's name: yuv420p, yuvj420p (full range), yuv444p… */
  pixelFormat?: string;
  /** Colour tags written into the stream, by ffmpeg's names; omitted ones stay unspecified. */
  tags?: { space?: string; primaries?: string; transfer?: string; range?: 'tv' | 'pc' };
}

/** A 0.4 s, 25 fps testsrc clip in a chosen pixel format with chosen colour tags (no audio). */
export async function makeColourPattern(outPath: string, options: ColourPatternOptions = {}): Promise<void> {
  const { width = 160, height = 120, pixelFormat = 'yuv420p', tags = {} } = options;
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${width}x${height}:rate=25`,
    '-t',
    '0.4',
  ];
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', pixelFormat);
  if (tags.space) args.push('-colorspace', tags.space);
  if (tags.primaries) args.push('-color_primaries', tags.primaries);
  if (tags.transfer) args.push('-color_trc', tags.transfer);
  if (tags.range) args.push('-color_range', tags.range);
  await run('ffmpeg', [...args, outPath], `Cannot make test video "${outPath}"`);
}
