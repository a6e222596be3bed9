// The overlapped frame loop: frame N+1 is pulled from its source and analysed while frame N renders,
// so two sessions run at once and the CPU work of one frame hides behind the other's inference.
// runFrameJob puts an encoder behind it; a realtime session can put a socket behind it and a source
// that keeps only the newest camera frame in front.
import type { FramePipeline } from './pipeline.ts';

/** Milliseconds summed over the frames; the stages overlap, so their sum can exceed the wall time. */
export interface PipeTimings {
  /** Waiting for the source's next frame (decoding). */
  decode: number;
  analyse: number;
  render: number;
}

export interface PipeOptions<In, Analysis, Out> {
  /** Checked before each render: once aborted, no further frame renders and the reason is thrown. */
  signal: AbortSignal;
  /** Takes each output in frame order (an encoder, a socket); the next render waits for it. */
  deliver(out: Out, frame: In, analysis: Analysis): Promise<void>;
  /** Told about a frame analysed ahead that failed after the loop had stopped for another reason. */
  lateFailure(error: unknown): void;
  /** Added to as the frames go through. */
  timings: PipeTimings;
}

type Pulled<In, Analysis> = { done: true } | { done: false; frame: In; analysis: Analysis };

/**
 * Runs every frame of `source` through `pipeline` and returns how many were delivered. The source
 * must end or throw once `signal` aborts. When this returns or throws, no analysis is running any
 * more (the caller may release the sessions) and the source has been closed.
 */
export async function pipeFrames<In, Analysis, Out>(
  source: AsyncIterable<In>,
  pipeline: FramePipeline<In, Analysis, Out>,
  options: PipeOptions<In, Analysis, Out>,
): Promise<number> {
  const { timings } = options;
  const frames = source[Symbol.asyncIterator]();
  const pull = async (): Promise<Pulled<In, Analysis>> => {
    let t = performance.now();
    const next = await frames.next();
    timings.decode += performance.now() - t;
    if (next.done) return { done: true };
    t = performance.now();
    const analysis = await pipeline.analyse(next.value);
    timings.analyse += performance.now() - t;
    return { done: false, frame: next.value, analysis };
  };
  let ahead: Promise<Pulled<In, Analysis>> | undefined = pull();
  let delivered = 0;
  try {
    for (;;) {
      const pulled = ahead;
      ahead = undefined; // a failure here is this loop's own error, not a late one
      const current = await pulled;
      if (current.done) return delivered;
      options.signal.throwIfAborted();
      ahead = pull();
      ahead.catch(() => undefined); // awaited in the next turn or in `finally`; never unhandled
      const t = performance.now();
      const out = await pipeline.render(current.frame, current.analysis);
      timings.render += performance.now() - t;
      await options.deliver(out, current.frame, current.analysis);
      delivered++;
    }
  } finally {
    await ahead?.catch(options.lateFailure);
    await frames.return?.();
  }
}
