// The per-frame work of a frame-by-frame plugin in two stages, written once per plugin and run by
// every caller: the video jobs (runFrameJob, which overlaps frame N+1's analysis with frame N's
// render), and the frame processors of the realtime path (one frame at a time, runFrame).
import { framePicture, type Picture, type VideoFrame } from '@visage/inference';

export interface FramePipeline<In, Analysis, Out> {
  /**
   * What a frame needs before it can be rendered (its faces, its motion). Called in frame order,
   * one call at a time, so it may keep state from frame to frame; it may run while the previous
   * frame renders, so it must not touch what render uses.
   */
  analyse(frame: In): Promise<Analysis>;
  /** The output frame (it may be the input, changed in place). */
  render(frame: In, analysis: Analysis): Promise<Out>;
}

/** A picture of a sequence (video, camera) and its place in it. */
export interface SequenceFrame {
  /** 0 for the first frame. */
  index: number;
  /** Milliseconds since the first frame; undefined when a camera gave no timestamp. */
  timeMs?: number;
  /** RGB (camera frames, stills) or the video's own yuv420p (video jobs; docs/video.md §2). */
  image: Picture;
}

/** One frame through both stages, nothing overlapped. */
export async function runFrame<In, Analysis, Out>(
  pipeline: FramePipeline<In, Analysis, Out>,
  frame: In,
): Promise<Out> {
  return pipeline.render(frame, await pipeline.analyse(frame));
}

/** Decoded video frames as sequence frames (each picture shares its frame's buffer). */
export async function* sequenceFrames(frames: AsyncIterable<VideoFrame>): AsyncGenerator<SequenceFrame> {
  for await (const frame of frames)
    yield { index: frame.index, timeMs: frame.timeMs, image: framePicture(frame) };
}
