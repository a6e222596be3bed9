// Streams a video's frames out of ffmpeg, one frame at a time: ffmpeg only decodes as fast as the
// consumer takes frames, so a long video never sits in memory. As RGB24 (stills, analysis passes) or
// in the video's own yuv420p (video jobs: half the bytes and no conversion at all; docs/video.md §2).

import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import {
  FfmpegError,
  fpsToRational,
  parseRational,
  probe,
  start,
  succeeded,
  type VideoInfo,
} from '@visage/ffmpeg';
import type { RgbImage } from '../image/image.ts';
import { type Picture, toRgb, type YuvColor, type YuvImage } from '../image/yuv.ts';
import { autoVideoDecoder, hwaccelArgs, type VideoDecoder } from './decoders.ts';

export interface DecodeOptions {
  /** Output size; give one side to keep the aspect ratio (the other is rounded to an even number). */
  width?: number;
  height?: number;
  /** Resample to this rate (frames are dropped or repeated); default: the source's rate. */
  fps?: number;
  /** Start here (accurate to the frame) and stop after this long. */
  startMs?: number;
  durationMs?: number;
  /** Stops ffmpeg; the loop then throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * 'rgb24' (default) or 'yuv420p': the video's own samples, untouched when it is 8-bit 4:2:0 and
   * kept at its size (odd sides lose their last column or row).
   */
  pixelFormat?: 'rgb24' | 'yuv420p';
  /** 'software' (default), or 'auto': the hardware decoder autoVideoDecoder picks where one works. */
  decoder?: 'software' | 'auto';
  /** The file's probe when the caller has it (saves running ffprobe again: ~0.1 s). */
  info?: VideoInfo;
}

export interface VideoFrame {
  /** 0 for the first frame decoded (at `startMs`). */
  index: number;
  /** Position in the source: startMs + index / fps. */
  timeMs: number;
  width: number;
  height: number;
  /** RGB24 (HWC) or yuv420p planes, rows top to bottom; a buffer of its own that the consumer may keep. */
  data: Uint8Array;
  pixelFormat: 'rgb24' | 'yuv420p';
  /** For yuv420p: the matrix and range of the samples. */
  color?: YuvColor;
}

export interface DecodeStats {
  /** Bytes taken from ffmpeg's stdout so far. */
  readonly bytesRead: number;
  readonly framesYielded: number;
  /** Bytes read from ffmpeg but not yet handed out as frames: what back-pressure keeps to about a frame. */
  readonly bufferedBytes: number;
  /** The decoder in use, known once the first frame is out ('software' until then). */
  readonly decoder: VideoDecoder;
}

/** A decoded frame as a picture for the image ops (the same buffer, no copy). */
export function framePicture(frame: VideoFrame): Picture {
  if (frame.pixelFormat === 'rgb24') return frameImage(frame);
  const color = frame.color ?? { matrix: 'bt601', range: 'tv' };
  return {
    format: 'yuv420p',
    width: frame.width,
    height: frame.height,
    color,
    data: frame.data,
  } satisfies YuvImage;
}

/** A decoded frame as RGB (the same buffer for RGB24 frames, converted for yuv420p ones). */
export function frameImage(frame: VideoFrame): RgbImage {
  if (frame.pixelFormat === 'yuv420p') return toRgb(framePicture(frame));
  return { width: frame.width, height: frame.height, channels: 3, data: frame.data };
}

export type FrameStream = AsyncGenerator<VideoFrame, void, undefined> & { readonly stats: DecodeStats };

/**
 * Decodes `path` to RGB24 frames. Breaking out of the loop (or aborting) kills ffmpeg and waits until it
 * is reaped; an ffmpeg failure throws `Cannot decode "<file>": <ffmpeg's message>`.
 */
export function decodeFrames(path: string, options: DecodeOptions = {}): FrameStream {
  let stdout: Readable | undefined;
  const stats: Counters = {
    bytesRead: 0,
    framesYielded: 0,
    decoder: 'software',
    get bufferedBytes() {
      return stdout?.readableLength ?? 0;
    },
  };
  const frames = generate(path, options, stats, (stream) => {
    stdout = stream;
  });
  return Object.assign(frames, { stats });
}

type Counters = { -readonly [K in keyof DecodeStats]: DecodeStats[K] };

async function* generate(
  path: string,
  options: DecodeOptions,
  stats: Counters,
  started: (stdout: Readable) => void,
): AsyncGenerator<VideoFrame, void, undefined> {
  const { signal } = options;
  signal?.throwIfAborted();
  const info = options.info ?? (await probe(path));
  signal?.throwIfAborted();
  const yuv = options.pixelFormat === 'yuv420p';
  const { width, height } = outputSize(info, options, yuv);
  const frameRate = options.fps === undefined ? info.frameRate : fpsToRational(options.fps);
  const fps = parseRational(frameRate) as number;
  const startMs = nonNegative('startMs', options.startMs) ?? 0;
  const durationMs = nonNegative('durationMs', options.durationMs);
  const frameSize = yuv ? width * height * 1.5 : width * height * 3;
  const decoder = options.decoder === 'auto' ? (await autoVideoDecoder()).decoder : 'software';
  stats.decoder = decoder;
  signal?.throwIfAborted();

  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', ...hwaccelArgs(decoder)];
  // Before -i: seeks in the input, then decodes up to the exact frame (accurate_seek is ffmpeg's default).
  if (startMs > 0) args.push('-ss', seconds(startMs));
  args.push('-i', path, '-map', `0:${info.streamIndex}`, '-an', '-sn', '-dn');
  if (durationMs !== undefined) args.push('-t', seconds(durationMs));
  // The fps filter makes the output constant-rate, so index / fps is each frame's true time.
  const sourceSize = `${info.displayWidth}x${info.displayHeight}`;
  const resized = `${width}x${height}` !== sourceSize;
  let color: YuvColor | undefined;
  let pixFmt = 'rgb24';
  let convert: string;
  if (yuv) {
    // Full-range sources stay full range: yuvj420p is the same layout, and asking for yuv420p would
    // squeeze them into 16–235.
    color = { matrix: info.color.matrix, range: info.color.range };
    pixFmt = color.range === 'pc' ? 'yuvj420p' : 'yuv420p';
    const native = info.pixelFormat === pixFmt;
    // Only the odd last column or row dropped (outputSize's default): a crop, no conversion.
    const evened = width === (info.displayWidth & ~1) && height === (info.displayHeight & ~1);
    convert =
      native && !resized
        ? ''
        : native && evened
          ? `,crop=${width}:${height}:0:0`
          : `,scale=${width}:${height}:flags=bicubic+accurate_rnd:out_range=${color.range}`;
  } else {
    // swscale's default YUV→RGB path rounds low (about −1 per channel over a decode/encode round
    // trip); accurate_rnd + full_chroma_int remove that bias. Bilinear chroma upsampling when the size
    // is kept (what players do; a third of bicubic's cost here), bicubic when actually resizing.
    const interpolation = resized ? 'bicubic' : 'bilinear';
    convert = `,scale=${width}:${height}:flags=${interpolation}+accurate_rnd+full_chroma_int`;
  }
  args.push('-vf', `fps=${frameRate}${convert}`, '-f', 'rawvideo', '-pix_fmt', pixFmt, 'pipe:1');

  const purpose = `Cannot decode "${basename(path)}"`;
  const ffmpeg = start('ffmpeg', args, { signal });
  const out = ffmpeg.stdout as Readable;
  started(out);
  const moreData = readableWaiter(out);
  let done = false;
  try {
    let filled = 0;
    let index = 0;
    // Whole frames at a time: read(frameSize) hands out one buffer per frame (Node joins the pipe's
    // 64 KiB chunks once) and returns null until a frame is there, so Node reads the pipe only about
    // a frame ahead and ffmpeg blocks on a full pipe instead of filling our memory. Iterating the
    // chunks with for-await instead costs ~20 promise turns per frame (3 ms of a core per 720p
    // frame); copying 'data' chunks into reused buffers measured slower still.
    for (;;) {
      const data = out.read(frameSize) as Buffer | null;
      if (data === null) {
        if (out.readableEnded || out.destroyed) break;
        await moreData();
        continue;
      }
      stats.bytesRead += data.byteLength;
      if (data.byteLength < frameSize) {
        filled = data.byteLength; // the stream ended mid-frame
        break;
      }
      stats.framesYielded++;
      const timeMs = startMs + (index * 1000) / fps;
      yield {
        index,
        timeMs,
        width,
        height,
        data,
        pixelFormat: yuv ? 'yuv420p' : 'rgb24',
        ...(color ? { color } : {}),
      };
      index++;
      signal?.throwIfAborted();
    }
    const exit = await ffmpeg.exited;
    done = true;
    signal?.throwIfAborted();
    if (!succeeded(exit)) throw ffmpeg.failure(purpose, exit);
    if (filled > 0) {
      const detail = `ffmpeg stopped mid-frame (${filled} of ${frameSize} bytes)`;
      throw new FfmpegError(purpose, detail, { tool: 'ffmpeg', reason: 'unusable', stderr: ffmpeg.stderr() });
    }
  } finally {
    // Early break, abort or an error in the loop: ffmpeg may still be running.
    if (!done) await ffmpeg.stop();
  }
}

/**
 * Waits for `stream` to have more data, end or close (rejecting on its error). One listener for the
 * stream's life: attaching 'readable' anew each time would fire at once on the data already buffered
 * and spin without ever letting the pipe be read.
 */
function readableWaiter(stream: Readable): () => Promise<void> {
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  const ready = () => {
    wake?.();
    wake = null;
  };
  stream.on('readable', ready);
  stream.on('end', ready);
  stream.on('close', ready);
  stream.on('error', (error) => {
    failure = error;
    ready();
  });
  return () =>
    new Promise<void>((resolve, reject) => {
      if (failure) reject(failure);
      else
        wake = () => {
          if (failure) reject(failure);
          else resolve();
        };
    });
}

// ffmpeg turns the picture upright while decoding: the output starts from the displayed size.
// yuv420p frames have even sides.
function outputSize(
  info: VideoInfo,
  options: DecodeOptions,
  yuv: boolean,
): { width: number; height: number } {
  const { displayWidth: sourceWidth, displayHeight: sourceHeight } = info;
  const width = positiveInteger('width', options.width);
  const height = positiveInteger('height', options.height);
  if (yuv && ((width ?? 0) % 2 || (height ?? 0) % 2)) {
    throw new RangeError(`yuv420p frames need even sides (got ${width ?? 'auto'}×${height ?? 'auto'})`);
  }
  if (width !== undefined && height !== undefined) return { width, height };
  // Even, so the frames can go straight to a yuv420p encoder.
  const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);
  if (width !== undefined) return { width, height: even((width * sourceHeight) / sourceWidth) };
  if (height !== undefined) return { width: even((height * sourceWidth) / sourceHeight), height };
  if (yuv) return { width: Math.max(2, sourceWidth & ~1), height: Math.max(2, sourceHeight & ~1) };
  return { width: sourceWidth, height: sourceHeight };
}

function positiveInteger(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`${name} must be a positive integer (got ${value})`);
  }
  return value;
}

function nonNegative(name: string, value: number | undefined): number | undefined {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${name} must be a finite number ≥ 0 (got ${value})`);
  }
  return value;
}

/** Milliseconds as ffmpeg's seconds syntax, exact to the microsecond. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}
