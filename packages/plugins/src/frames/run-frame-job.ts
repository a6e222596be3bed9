// A frame-by-frame video job: frames from a source through a plugin's FramePipeline (overlapped by
// pipeFrames), straight into an H.264 encoder opened at the first output frame's size, with "frame
// n/N" progress and a preview now and then; the finished video becomes the job's `result` output.
// Cancelling between frames, or failing anywhere, leaves no output and no temporary files.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createEncoder,
  type EncoderOptions,
  FfmpegError,
  isYuv,
  type Picture,
  type VideoEncoder,
} from '@visage/inference';
import { roundTimings } from '../timings.ts';
import { PluginInputError, type RunContext } from '../types.ts';
import { FrameProgress } from './frame-progress.ts';
import { type PipeTimings, pipeFrames } from './pipe-frames.ts';
import type { FramePipeline } from './pipeline.ts';

/** Milliseconds: the loop's stages summed over the frames, and the job's wall time. */
export interface FrameJobTimings extends PipeTimings {
  /** Opening the encoder, writing the frames and finishing the file. */
  encode: number;
  total: number;
}

export interface FrameJobResult {
  frames: number;
  codec: VideoEncoder['codec'];
  timings: FrameJobTimings;
}

export interface FrameJob<In, Analysis> {
  /** Names the temporary folder: visage-<name>-<jobId>-… */
  name: string;
  /** The input as messages name it, e.g. `The target video "clip.mp4"`. */
  what: string;
  frames: AsyncIterable<In>;
  /** The expected frame count (a probe's estimate), for progress. */
  total: number;
  /** The part of the job's progress the frames take (default 5 %–95 %: the job is its frames). */
  progressRange?: readonly [number, number];
  pipeline: FramePipeline<In, Analysis, Picture>;
  /**
   * The size and pixel format come from the first output frame; `color` gives the tags of the source
   * whose yuv420p frames come out (without it, yuv420p frames are tagged by their own matrix).
   */
  encoder: Pick<EncoderOptions, 'fps' | 'crf' | 'audioFrom' | 'color'> & {
    /**
     * The output frames' size when known up front (a face swap's is its input's): the encoder is then
     * started with the decoder instead of after the first frame, so their start-ups overlap.
     */
    expect?: { width: number; height: number; pixelFormat: 'rgb24' | 'yuv420p' };
  };
  /** Sees each frame and its analysis once it is rendered (what the job keeps per frame). */
  onFrame?(frame: In, analysis: Analysis): void | Promise<void>;
  /** The timings recorded as `stageMs`, in the order shown (default: the loop's own). */
  stages?(timings: FrameJobTimings): Record<string, number>;
  /** Recorded with `stageMs` and `framesPerSecond` once the video is finished, before it is written. */
  metadata?(result: FrameJobResult): Record<string, unknown>;
}

export async function runFrameJob<In, Analysis>(
  ctx: RunContext,
  job: FrameJob<In, Analysis>,
): Promise<FrameJobResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `visage-${job.name}-${ctx.jobId}-`));
  const outPath = path.join(dir, 'result.mp4');
  const progress = new FrameProgress(ctx, job.total, job.progressRange);
  const timings: FrameJobTimings = { decode: 0, analyse: 0, render: 0, encode: 0, total: 0 };
  // A holder: TypeScript does not follow assignments made in callbacks.
  const output: { encoder?: VideoEncoder } = {};
  const started = performance.now();
  const { expect: expected, ...encoding } = job.encoder;
  try {
    if (expected) {
      const { pixelFormat, width, height } = expected;
      output.encoder = await createEncoder(outPath, { ...encoding, width, height, pixelFormat });
    }
    const frames = await pipeFrames(named(job.frames, job.what, ctx.signal), job.pipeline, {
      signal: ctx.signal,
      timings,
      lateFailure: (error) =>
        ctx.log.warn({ err: error }, 'the frame analysed ahead failed after the job had stopped'),
      deliver: async (out, frame, analysis) => {
        await job.onFrame?.(frame, analysis);
        const t = performance.now();
        if (
          expected &&
          (out.width !== expected.width ||
            out.height !== expected.height ||
            isYuv(out) !== (expected.pixelFormat === 'yuv420p'))
        ) {
          throw new Error(
            `${job.name}: a frame came out ${out.width}×${out.height} ${isYuv(out) ? 'yuv420p' : 'RGB'}, the encoder was opened for ${expected.width}×${expected.height} ${expected.pixelFormat}`,
          );
        }
        output.encoder ??= await createEncoder(outPath, {
          ...encoding,
          width: out.width,
          height: out.height,
          // yuv420p frames go in as they are; the source's tags only when they are its samples.
          ...(isYuv(out)
            ? { pixelFormat: 'yuv420p', color: { ...out.color, tags: job.encoder.color?.tags } }
            : {}),
        });
        await output.encoder.write(out.data);
        timings.encode += performance.now() - t;
        await progress.frameDone(out);
      },
    });
    const { encoder } = output;
    if (!encoder) throw new PluginInputError(`${job.what} has no frames`);
    ctx.progress(0.96, 'finishing the video');
    const t = performance.now();
    await encoder.finish();
    timings.encode += performance.now() - t;
    timings.total = performance.now() - started;
    const result = { frames, codec: encoder.codec, timings };
    ctx.record({
      ...job.metadata?.(result),
      stageMs: roundTimings(job.stages?.(timings) ?? timings),
      framesPerSecond: Math.round((frames / (timings.total / 1000)) * 100) / 100,
    });
    await ctx.assets.writeOutput({ slot: 'result', path: outPath });
    return result;
  } catch (error) {
    await output.encoder?.abort();
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The source, with an ffmpeg failure before its first frame named as the input's (an unreadable file). */
async function* named<T>(frames: AsyncIterable<T>, what: string, signal: AbortSignal): AsyncGenerator<T> {
  let first = true;
  try {
    for await (const frame of frames) {
      first = false;
      yield frame;
    }
  } catch (error) {
    if (first && error instanceof FfmpegError && !signal.aborted) {
      throw new PluginInputError(`${what} cannot be decoded: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
