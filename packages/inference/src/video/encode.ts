// Feeds frames to ffmpeg's stdin and writes an H.264 yuv420p file at an exact frame rate, optionally with
// the audio of another file. RGB24 frames are converted to BT.709; yuv420p frames (a video job's own,
// docs/video.md §2) go to the encoder as they are, tagged with the colours they came with.
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { FfmpegError, type FfmpegProcess, fpsToRational, probeAudio, start, succeeded } from '@visage/ffmpeg';
import type { YuvColor } from '../image/yuv.ts';
import { autoH264Encoder, type H264Codec, h264Args, type X264Preset } from './encoders.ts';

export interface EncoderOptions {
  width: number;
  height: number;
  /** Kept exactly (29.97 is written as 30000/1001). */
  fps: number;
  /** x264's constant-rate factor (0–51, lower is better); mapped onto NVENC/VideoToolbox. Default 18. */
  crf?: number;
  /** Default 'medium'. */
  preset?: X264Preset;
  /** Default 'auto': VideoToolbox on macOS, NVENC when it works, else libx264. */
  codec?: 'auto' | H264Codec;
  /** Copy the audio track of this file (usually the video the frames came from). */
  audioFrom?: string;
  /** The part of `audioFrom` the frames came from (as given to decodeFrames). */
  startMs?: number;
  durationMs?: number;
  /** 'rgb24' (default) or 'yuv420p' frames (even sides), whose `color` says their matrix and range. */
  pixelFormat?: 'rgb24' | 'yuv420p';
  color?: EncodedColor;
}

/** yuv420p input's matrix and range, and the source's tags to repeat (probe's VideoColor fits). */
export interface EncodedColor extends YuvColor {
  tags?: { space?: string; primaries?: string; transfer?: string };
}

// The tags of frames made here from RGB (no source to repeat): the matrix they were made with.
const MATRIX_TAGS: Record<YuvColor['matrix'], string[]> = {
  bt601: ['-colorspace', 'smpte170m', '-color_primaries', 'smpte170m', '-color_trc', 'smpte170m'],
  bt709: ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'],
  bt2020: ['-colorspace', 'bt2020nc', '-color_primaries', 'bt2020', '-color_trc', 'bt709'],
};

export interface VideoEncoder {
  /** The encoder actually used (what 'auto' resolved to). */
  readonly codec: H264Codec;
  readonly framesWritten: number;
  /**
   * Resolves once ffmpeg's pipe has taken the whole frame, so the buffer may be reused and a producer
   * that awaits each write never runs ahead of the encoder. width × height × 3 bytes of RGB24, or
   * width × height × 1.5 of yuv420p.
   */
  write(frame: Uint8Array): Promise<void>;
  /** Ends the stream, waits for ffmpeg and adds the audio; on failure the partial file is removed. */
  finish(): Promise<void>;
  /** Kills ffmpeg and removes the partial output; does nothing once finish() has settled. */
  abort(): Promise<void>;
}

// Audio codecs MP4/MOV can carry as they are; anything else (PCM, Vorbis…) is re-encoded to AAC.
const MP4_AUDIO = new Set(['aac', 'mp3', 'alac', 'ac3', 'eac3', 'opus']);
const MP4_LIKE = new Set(['.mp4', '.m4v', '.mov']);

export async function createEncoder(outPath: string, options: EncoderOptions): Promise<VideoEncoder> {
  const { width, height, fps, crf = 18, preset = 'medium' } = options;
  const yuv = options.pixelFormat === 'yuv420p';
  if (yuv && (width % 2 || height % 2)) {
    throw new RangeError(`yuv420p frames need even sides (got ${width}×${height})`);
  }
  for (const [name, value] of Object.entries({ width, height })) {
    if (!(Number.isInteger(value) && value > 0)) {
      throw new RangeError(`${name} must be a positive integer (got ${value})`);
    }
  }
  if (!(crf >= 0 && crf <= 51)) throw new RangeError(`crf must be between 0 and 51 (got ${crf})`);
  const frameRate = fpsToRational(fps);
  const codec =
    options.codec === undefined || options.codec === 'auto' ? (await autoH264Encoder()).codec : options.codec;
  const purpose = `Cannot encode "${basename(outPath)}"`;
  const audio = options.audioFrom === undefined ? undefined : await audioOf(options.audioFrom, outPath);
  const mp4 = MP4_LIKE.has(extname(outPath).toLowerCase());

  // With audio, the video goes to a temporary file first and the audio is added in finish(), when the
  // video's length is known: ffmpeg's -shortest would cut the video when the audio is the shorter one,
  // and how much it cuts depends on timing. Remuxing costs no more than +faststart's rewrite.
  const videoPath = audio
    ? join(dirname(outPath), `.${basename(outPath)}.${randomUUID().slice(0, 8)}${extname(outPath)}`)
    : outPath;
  const size = ['-s', `${width}x${height}`, '-framerate', frameRate];
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  if (yuv) {
    // The frames are the encoder's own format: no filter, no conversion. Full range travels as
    // yuvj420p (the same layout), which x264 flags as full range.
    const color = options.color ?? { matrix: 'bt709', range: 'tv' };
    const pixFmt = color.range === 'pc' ? 'yuvj420p' : 'yuv420p';
    args.push('-f', 'rawvideo', '-pix_fmt', pixFmt, ...size, '-i', 'pipe:0', '-map', '0:v:0');
    args.push(...h264Args({ codec, crf, preset, width, height, fps }), '-pix_fmt', pixFmt);
    args.push(...colorTags(color), '-color_range', color.range);
  } else {
    // yuv420p needs even sides: an odd last row/column is dropped rather than resampling the picture.
    const filters = width % 2 || height % 2 ? ['crop=trunc(iw/2)*2:trunc(ih/2)*2:0:0'] : [];
    // RGB → BT.709 limited range, tagged as such, so players do not guess the colours. Bilinear chroma
    // halving costs 20 % less than swscale's bicubic default for a 2 % larger round-trip error.
    filters.push('scale=out_color_matrix=bt709:out_range=tv:flags=bilinear', 'format=yuv420p');
    args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', ...size, '-i', 'pipe:0', '-map', '0:v:0');
    args.push('-vf', filters.join(','), ...h264Args({ codec, crf, preset, width, height, fps }));
    args.push('-pix_fmt', 'yuv420p', ...MATRIX_TAGS.bt709, '-color_range', 'tv');
  }
  if (mp4 && !audio) args.push('-movflags', '+faststart');
  args.push(videoPath);

  const frameSize = yuv ? width * height * 1.5 : width * height * 3;
  let ffmpeg: FfmpegProcess = start('ffmpeg', args, { stdin: 'pipe', stdout: 'ignore' });
  const stdin = ffmpeg.stdin as Writable;
  let state: 'open' | 'finishing' | 'done' | 'failed' | 'aborted' = 'open';
  let framesWritten = 0;
  let finishing: Promise<void> | undefined;
  // A function, so TypeScript does not narrow `state` across the awaits where abort() may change it.
  const isAborted = () => state === 'aborted';
  const cleanUp = () => Promise.all([rm(outPath, { force: true }), rm(videoPath, { force: true })]);

  // A write failed (EPIPE): ffmpeg has died or stopped reading; its exit status and stderr say why.
  const writeFailure = async (error: Error): Promise<Error> => {
    const exit = await ffmpeg.exited;
    if (state === 'aborted') return new Error(`${purpose}: the encoder was aborted`, { cause: error });
    if (!succeeded(exit)) return ffmpeg.failure(purpose, exit);
    const detail = `ffmpeg stopped reading frames (${error.message})`;
    return new FfmpegError(purpose, detail, {
      tool: 'ffmpeg',
      reason: 'unusable',
      stderr: ffmpeg.stderr(),
      cause: error,
    });
  };

  const muxAudio = async (from: AudioSource) => {
    const seconds = framesWritten / fps;
    const limit = Math.min(seconds, options.durationMs === undefined ? seconds : options.durationMs / 1000);
    const mux = ['-hide_banner', '-loglevel', 'error', '-y', '-i', videoPath];
    if (options.startMs) mux.push('-ss', (options.startMs / 1000).toFixed(6));
    mux.push('-t', limit.toFixed(6), '-i', from.path, '-map', '0:v:0', '-map', `1:${from.streamIndex}`);
    mux.push('-c:v', 'copy', ...from.codecArgs);
    if (mp4) mux.push('-movflags', '+faststart');
    mux.push(outPath);
    ffmpeg = start('ffmpeg', mux);
    const what = `Cannot add the audio of "${basename(from.path)}" to "${basename(outPath)}"`;
    await ffmpeg.result(what, { timeoutMs: 600_000 });
  };

  return {
    codec,
    get framesWritten() {
      return framesWritten;
    },

    write(frame) {
      if (state !== 'open') return Promise.reject(new Error(`${purpose}: the encoder is ${state}`));
      if (frame.byteLength !== frameSize) {
        const expected = yuv
          ? `${width}×${height} yuv420p = ${frameSize}`
          : `${width}×${height}×3 = ${frameSize}`;
        return Promise.reject(
          new RangeError(`${purpose}: a frame must be ${expected} bytes (got ${frame.byteLength})`),
        );
      }
      return new Promise<void>((resolve, reject) => {
        stdin.write(frame, (error) => {
          if (!error) {
            framesWritten++;
            resolve();
          } else void writeFailure(error).then(reject);
        });
      });
    },

    finish() {
      if (state !== 'open') return Promise.reject(new Error(`${purpose}: the encoder is ${state}`));
      state = 'finishing';
      finishing = finish();
      return finishing;
    },

    async abort() {
      if (state === 'done' || state === 'failed' || state === 'aborted') return;
      state = 'aborted';
      await ffmpeg.stop();
      // A finish() in progress sees its ffmpeg killed, fails and cleans up; its caller gets that error.
      if (finishing) await Promise.allSettled([finishing]);
      else await cleanUp();
    },
  };

  async function finish(): Promise<void> {
    stdin.end();
    try {
      const exit = await ffmpeg.exited;
      if (!succeeded(exit)) throw ffmpeg.failure(purpose, exit);
      if (framesWritten === 0) {
        throw new FfmpegError(purpose, 'no frames were written', { tool: 'ffmpeg', reason: 'unusable' });
      }
      if (audio) await muxAudio(audio);
      if (isAborted()) throw new Error(`${purpose}: the encoder was aborted`);
      state = 'done';
    } catch (error) {
      if (state === 'finishing') state = 'failed';
      await cleanUp();
      throw isAborted() ? new Error(`${purpose}: the encoder was aborted`, { cause: error }) : error;
    } finally {
      if (audio) await rm(videoPath, { force: true });
    }
  }
}

/**
 * The source's own tags when given (none when it declared none: a player then guesses for the output
 * as it did for the source, so untouched pixels look the same), else those of the matrix.
 */
function colorTags(color: EncodedColor): string[] {
  if (!color.tags) return MATRIX_TAGS[color.matrix];
  const { space, primaries, transfer } = color.tags;
  const tags: string[] = [];
  if (space) tags.push('-colorspace', space);
  if (primaries) tags.push('-color_primaries', primaries);
  if (transfer) tags.push('-color_trc', transfer);
  return tags;
}

interface AudioSource {
  path: string;
  streamIndex: number;
  codecArgs: string[];
}

/** The first audio stream of `path` and how to carry it into `outPath`; undefined when it has none. */
async function audioOf(path: string, outPath: string): Promise<AudioSource | undefined> {
  const stream = await probeAudio(path);
  if (!stream) return undefined;
  const reencode = MP4_LIKE.has(extname(outPath).toLowerCase()) && !MP4_AUDIO.has(stream.codec);
  return {
    path,
    streamIndex: stream.streamIndex,
    codecArgs: reencode ? ['-c:a', 'aac', '-b:a', '192k'] : ['-c:a', 'copy'],
  };
}
