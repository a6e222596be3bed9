// A video face swap, streamed: ffmpeg decodes one frame at a time, faces of frame N+1 are found
// while frame N is swapped (two sessions running at once), frames go straight to the H.264 encoder
// with the source's audio. Frames without a face pass through unchanged. Cancelling between frames
// kills ffmpeg and leaves no output behind.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  createEncoder,
  decodeFrames,
  FfmpegError,
  frameImage,
  type RgbImage,
  type VideoEncoder,
  type VideoFrame,
  type VideoInfo,
} from '@visage/inference';
import { FrameProgress } from '../frame-progress.ts';
import { type InputAsset, PluginInputError, type RunContext } from '../types.ts';
import type { FaceSwapProcessor } from './processor.ts';
import type { AnalysedFace } from './select.ts';
import { RunLengths, roundTimings } from './stats.ts';

type Analysis = { found: number; selected: AnalysedFace[] };

/** One decoded frame of the target (for a reference face). */
export async function firstFrameAt(
  target: InputAsset,
  info: VideoInfo,
  index: number,
  signal: AbortSignal,
): Promise<RgbImage> {
  if (index >= info.frameCount) {
    throw new PluginInputError(
      `The reference frame ${index} is past the end of "${target.name}" (${info.frameCount} frames)`,
    );
  }
  for await (const frame of decodeFrames(target.path, { startMs: (index / info.fps) * 1000, signal })) {
    return frameImage(frame);
  }
  throw new PluginInputError(`Frame ${index} of "${target.name}" could not be decoded`);
}

export async function swapVideo(
  ctx: RunContext,
  processor: FaceSwapProcessor,
  target: InputAsset,
  info: VideoInfo,
  options: { crf: number },
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `visage-faceswap-${ctx.jobId}-`));
  const outPath = path.join(dir, 'result.mp4');
  const frames = decodeFrames(target.path, { signal: ctx.signal });
  const perFrame = new RunLengths();
  const detectEvery = processor.settings.detectEvery;
  let encoder: VideoEncoder | undefined;
  let lastDetected: Analysis = { found: 0, selected: [] };
  // Detection runs every `detectEvery` frames; in between the last faces are reused.
  const analyseFrame = async (frame: VideoFrame): Promise<Analysis> => {
    if (frame.index % detectEvery === 0) lastDetected = await processor.analyse(frameImage(frame));
    return processor.smoothFaces(lastDetected, frame.timeMs, info.fps);
  };
  let pending: Promise<Analysis> | undefined;
  const started = performance.now();
  let decodeMs = 0;
  let encodeMs = 0;
  const progress = new FrameProgress(ctx, info.frameCount);
  let index = 0;
  try {
    const iterator = frames[Symbol.asyncIterator]();
    let t = performance.now();
    let current = await iterator.next();
    decodeMs += performance.now() - t;
    if (current.done) throw new PluginInputError(`The target video "${target.name}" has no frames`);
    pending = analyseFrame(current.value);
    while (!current.done) {
      const frame = current.value;
      const analysis = await (pending ?? analyseFrame(frame));
      pending = undefined;
      ctx.signal.throwIfAborted();
      t = performance.now();
      const next = await iterator.next();
      decodeMs += performance.now() - t;
      // Start finding the next frame's faces before swapping this one's.
      if (!next.done) {
        pending = analyseFrame(next.value);
        pending.catch(() => undefined); // awaited in the next turn or in `finally`; never unhandled
      }
      const image = frameImage(frame);
      await processor.apply(image, analysis);
      perFrame.push(analysis.found);
      encoder ??= await createEncoder(outPath, {
        width: frame.width,
        height: frame.height,
        fps: info.fps,
        crf: options.crf,
        ...(info.hasAudio ? { audioFrom: target.path } : {}),
      });
      t = performance.now();
      await encoder.write(frame.data);
      encodeMs += performance.now() - t;
      index++;
      await progress.frameDone(image);
      current = next;
    }
    if (!encoder) throw new PluginInputError(`The target video "${target.name}" has no frames`);
    ctx.progress(0.96, 'finishing the video');
    t = performance.now();
    await encoder.finish();
    encodeMs += performance.now() - t;
    const { stats } = processor;
    const wallMs = performance.now() - started;
    ctx.record({
      faces: {
        found: stats.facesFound,
        swapped: stats.facesSwapped,
        framesWithoutFace: stats.framesWithoutFace,
        estimatedLandmarks: stats.estimatedLandmarks,
        perFrame: perFrame.runs,
      },
      video: {
        frames: index,
        fps: info.fps,
        codec: encoder.codec,
        audio: info.hasAudio,
        detectEvery,
      },
      stageMs: roundTimings({ ...stats.timings, decode: decodeMs, encode: encodeMs, total: wallMs }),
      framesPerSecond: Math.round((index / (wallMs / 1000)) * 100) / 100,
    });
    if (stats.framesWithoutFace > 0) {
      ctx.log.info(
        { framesWithoutFace: stats.framesWithoutFace, frames: index },
        'frames without a face to swap were passed through unchanged',
      );
    }
    await ctx.assets.writeOutput({ slot: 'result', path: outPath });
  } catch (error) {
    await encoder?.abort();
    if (error instanceof FfmpegError && !ctx.signal.aborted && index === 0) {
      throw new PluginInputError(`The target video "${target.name}" cannot be decoded: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    // A detection still running must finish before the caller releases its session.
    await pending?.catch((error: unknown) =>
      ctx.log.warn({ err: error }, 'face detection of the next frame failed after the job had stopped'),
    );
    await frames.return(undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
