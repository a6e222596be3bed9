// A video face swap on the shared frame loop (frames/run-frame-job.ts): the faces of frame N+1 are
// found while frame N is swapped, frames go to the H.264 encoder with the source's audio. Frames stay
// in the video's own yuv420p (docs/video.md §2): only the model crops are converted to RGB and only
// the pasted pixels back, so frames without a face reach the encoder bit-identical.
import {
  decodeFrames,
  encodeImage,
  frameImage,
  MaskCanvas,
  type RgbImage,
  type VideoInfo,
} from '@visage/inference';
import { sequenceFrames } from '../frames/pipeline.ts';
import { runFrameJob } from '../frames/run-frame-job.ts';
import { type InputAsset, PluginInputError, type RunContext } from '../types.ts';
import type { FaceSwapProcessor } from './processor.ts';
import { RunLengths } from './stats.ts';

/** Frame `index` of the target, decoded (for a reference face). */
export async function decodeFrameAt(
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
  options: { crf: number; saveMask?: boolean },
): Promise<void> {
  const perFrame = new RunLengths();
  const { stats, settings } = processor;
  const width = info.displayWidth & ~1;
  const height = info.displayHeight & ~1;
  // saveMask: the paste weights of the first frame with a swapped face (frame counts from 1 here).
  const canvas = options.saveMask ? new MaskCanvas(width, height) : null;
  let maskFrame: number | null = null;
  if (canvas) {
    processor.onSwap = (swap, frame) => {
      maskFrame ??= frame;
      if (frame === maskFrame) canvas.add(swap.mask, swap.size, swap.cropToFrame);
    };
  }
  const decoded = decodeFrames(target.path, {
    signal: ctx.signal,
    pixelFormat: 'yuv420p',
    decoder: 'auto',
    info,
  });
  const { frames } = await runFrameJob(ctx, {
    name: 'faceswap',
    what: `The target video "${target.name}"`,
    frames: sequenceFrames(decoded),
    total: info.frameCount,
    pipeline: processor.framePipeline(info.fps),
    encoder: {
      fps: info.fps,
      crf: options.crf,
      color: info.color,
      // yuv420p frames of the target's own (even) size: the encoder starts alongside the decoder.
      expect: { width, height, pixelFormat: 'yuv420p' },
      ...(info.hasAudio ? { audioFrom: target.path } : {}),
    },
    onFrame: (_, faces) => perFrame.push(faces.found),
    stages: ({ decode, encode, total }) => ({ ...stats.timings, decode, encode, total }),
    metadata: ({ frames, codec }) => ({
      faces: {
        found: stats.facesFound,
        swapped: stats.facesSwapped,
        framesWithoutFace: stats.framesWithoutFace,
        estimatedLandmarks: stats.estimatedLandmarks,
        ...(Object.keys(stats.swapsByIdentity).length > 0 ? { byIdentity: stats.swapsByIdentity } : {}),
        perFrame: perFrame.runs,
      },
      video: {
        frames,
        fps: info.fps,
        codec,
        decoder: decoded.stats.decoder,
        audio: info.hasAudio,
        detectEvery: settings.detectEvery,
      },
    }),
  });
  processor.onSwap = null;
  if (canvas && maskFrame !== null) {
    await ctx.assets.writeOutput({ slot: 'mask', data: await encodeImage(canvas.toImage(), 'png') });
    ctx.record({ mask: { frame: maskFrame - 1 } });
  }
  if (stats.framesWithoutFace > 0) {
    ctx.log.info(
      { framesWithoutFace: stats.framesWithoutFace, frames },
      'frames without a face to swap were passed through unchanged',
    );
  }
}
