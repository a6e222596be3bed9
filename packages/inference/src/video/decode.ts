// Streams a video's frames out of ffmpeg as RGB24, one frame at a time: ffmpeg only decodes as fast as
// the consumer takes frames, so a long video never sits in memory.

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
}

export interface VideoFrame {
  /** 0 for the first frame decoded (at `startMs`). */
  index: number;
  /** Position in the source: startMs + index / fps. */
  timeMs: number;
  width: number;
  height: number;
  /** RGB24, rows top to bottom (HWC); a buffer of its own that the consumer may keep. */
  data: Uint8Array;
}

export interface DecodeStats {
  /** Bytes taken from ffmpeg's stdout so far. */
  readonly bytesRead: number;
  readonly framesYielded: number;
  /** Bytes read from ffmpeg but not yet handed out as frames: what back-pressure keeps small. */
  readonly bufferedBytes: number;
}

/** A decoded frame as an image (the same buffer, no copy), for the image ops. */
export function frameImage(frame: VideoFrame): RgbImage {
  return { width: frame.width, height: frame.height, channels: 3, data: frame.data };
}

export type FrameStream = AsyncGenerator<VideoFrame, void, undefined> & { readonly stats: DecodeStats };

/**
 * Decodes `path` to RGB24 frames. Breaking out of the loop (or aborting) kills ffmpeg and waits until it
 * is reaped; an ffmpeg failure throws `Cannot decode "<file>": <ffmpeg's message>`.
 */
export function decodeFrames(path: string, options: DecodeOptions = {}): FrameStream {
  let frameSize = 0;
  let stdout: Readable | undefined;
  const stats: Counters = {
    bytesRead: 0,
    framesYielded: 0,
    get bufferedBytes() {
      return this.bytesRead - this.framesYielded * frameSize + (stdout?.readableLength ?? 0);
    },
  };
  const frames = generate(path, options, stats, (size, stream) => {
    frameSize = size;
    stdout = stream;
  });
  return Object.assign(frames, { stats });
}

type Counters = { -readonly [K in keyof DecodeStats]: DecodeStats[K] };

async function* generate(
  path: string,
  options: DecodeOptions,
  stats: Counters,
  started: (frameSize: number, stdout: Readable) => void,
): AsyncGenerator<VideoFrame, void, undefined> {
  const { signal } = options;
  signal?.throwIfAborted();
  const info = await probe(path);
  signal?.throwIfAborted();
  const { width, height } = outputSize(info, options);
  const frameRate = options.fps === undefined ? info.frameRate : fpsToRational(options.fps);
  const fps = parseRational(frameRate) as number;
  const startMs = nonNegative('startMs', options.startMs) ?? 0;
  const durationMs = nonNegative('durationMs', options.durationMs);
  const frameSize = width * height * 3;

  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  // Before -i: seeks in the input, then decodes up to the exact frame (accurate_seek is ffmpeg's default).
  if (startMs > 0) args.push('-ss', seconds(startMs));
  args.push('-i', path, '-map', `0:${info.streamIndex}`, '-an', '-sn', '-dn');
  if (durationMs !== undefined) args.push('-t', seconds(durationMs));
  // The fps filter makes the output constant-rate, so index / fps is each frame's true time. swscale's
  // default YUV→RGB path rounds low (about −1 per channel over a decode/encode round trip);
  // accurate_rnd + full_chroma_int remove that bias. Bilinear chroma upsampling when the size is kept
  // (what players do; a third of bicubic's cost here), bicubic when actually resizing.
  const sourceSize = `${info.displayWidth}x${info.displayHeight}`;
  const interpolation = `${width}x${height}` === sourceSize ? 'bilinear' : 'bicubic';
  const scale = `scale=${width}:${height}:flags=${interpolation}+accurate_rnd+full_chroma_int`;
  args.push('-vf', `fps=${frameRate},${scale}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');

  const purpose = `Cannot decode "${basename(path)}"`;
  const ffmpeg = start('ffmpeg', args, { signal });
  const out = ffmpeg.stdout as Readable;
  started(frameSize, out);
  let done = false;
  try {
    let frame = Buffer.allocUnsafe(frameSize);
    let filled = 0;
    let index = 0;
    // Async iteration reads the pipe only when we ask for the next chunk, and we only ask when the
    // consumer asks for the next frame: ffmpeg blocks on a full pipe instead of filling our memory.
    for await (const chunk of out as AsyncIterable<Buffer>) {
      stats.bytesRead += chunk.byteLength;
      let offset = 0;
      while (offset < chunk.byteLength) {
        const take = Math.min(frameSize - filled, chunk.byteLength - offset);
        chunk.copy(frame, filled, offset, offset + take);
        filled += take;
        offset += take;
        if (filled < frameSize) continue;
        const data = frame;
        frame = Buffer.allocUnsafe(frameSize);
        filled = 0;
        stats.framesYielded++;
        yield { index, timeMs: startMs + (index * 1000) / fps, width, height, data };
        index++;
        signal?.throwIfAborted();
      }
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

// ffmpeg turns the picture upright while decoding: the output starts from the displayed size.
function outputSize(info: VideoInfo, options: DecodeOptions): { width: number; height: number } {
  const { displayWidth: sourceWidth, displayHeight: sourceHeight } = info;
  const width = positiveInteger('width', options.width);
  const height = positiveInteger('height', options.height);
  if (width !== undefined && height !== undefined) return { width, height };
  // Even, so the frames can go straight to a yuv420p encoder.
  const even = (value: number) => Math.max(2, Math.round(value / 2) * 2);
  if (width !== undefined) return { width, height: even((width * sourceHeight) / sourceWidth) };
  if (height !== undefined) return { width: even((height * sourceWidth) / sourceHeight), height };
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
