// The shared frame loop on tiny synthetic frames: stage order and overlap, the lazily opened encoder,
// cancelling and failing without leftovers, and a frame analysed ahead that fails late.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEncoder, FfmpegError, type Picture, probeVideo, type RgbImage } from '@visage/inference';
import { ffmpegChildren } from '@visage/inference/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FramePipeline, SequenceFrame } from '../src/frames/pipeline.ts';
import { runFrameJob } from '../src/frames/run-frame-job.ts';
import { PluginInputError, type Preview, type RunContext } from '../src/types.ts';

vi.mock('@visage/inference', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@visage/inference')>();
  return { ...actual, createEncoder: vi.fn(actual.createEncoder) };
});

const WIDTH = 32;
const HEIGHT = 16;

afterEach(() => {
  vi.mocked(createEncoder).mockClear();
});

/** A flat grey picture; `value` tells the frames apart. */
const picture = (value: number): RgbImage => ({
  width: WIDTH,
  height: HEIGHT,
  channels: 3,
  data: new Uint8Array(WIDTH * HEIGHT * 3).fill(value),
});

/** `count` frames, noting in `events` when each is pulled and when the source is closed. */
async function* frames(count: number, events: string[]): AsyncGenerator<SequenceFrame> {
  try {
    for (let index = 0; index < count; index++) {
      events.push(`decode ${index}`);
      yield { index, timeMs: index * 100, image: picture(10 + 20 * index) };
    }
  } finally {
    events.push('source closed');
  }
}

function jobContext(jobId: string, signal = new AbortController().signal) {
  const progress: { fraction: number; stage: string; preview?: Preview }[] = [];
  const outputs: { slot: string; data: Uint8Array }[] = [];
  const metadata: Record<string, unknown> = {};
  const warn = vi.fn();
  const ctx = {
    jobId,
    signal,
    log: { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() },
    progress: (fraction: number, stage: string, preview?: Preview) =>
      progress.push({ fraction, stage, ...(preview ? { preview } : {}) }),
    assets: {
      input: () => Promise.reject(new Error('no inputs here')),
      writeOutput: async (output: { slot: string; path?: string; data?: Uint8Array }) => {
        // Read at once: the loop removes its temporary folder afterwards.
        const data = output.data ?? (await readFile(output.path as string));
        outputs.push({ slot: output.slot, data });
        return `out-${outputs.length}`;
      },
    },
    record: (values: Record<string, unknown>) => Object.assign(metadata, values),
    models: {
      acquire: () => Promise.reject(new Error('no models here')),
      locate: () => Promise.reject(new Error('no models here')),
      memory: () => ({ residentBytes: 0, peakResidentBytes: 0, budgetBytes: 0 }),
    },
    device: {} as RunContext['device'],
  } satisfies RunContext;
  return { ctx, progress, outputs, metadata, warn };
}

async function tempLeftovers(jobId: string): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith(`visage-test-${jobId}-`));
}

const job = <A>(
  source: AsyncIterable<SequenceFrame>,
  pipeline: FramePipeline<SequenceFrame, A, Picture>,
) => ({
  name: 'test',
  what: 'The clip',
  frames: source,
  total: 5,
  pipeline,
  encoder: { fps: 10, crf: 30 },
});

describe('runFrameJob', () => {
  it('should analyse the next frame while this one renders, in order, into one encoder opened at the first size', async () => {
    const events: string[] = [];
    let analysing = 0;
    let mostAtOnce = 0;
    const pipeline: FramePipeline<SequenceFrame, number, Picture> = {
      async analyse({ index }) {
        events.push(`analyse ${index}`);
        mostAtOnce = Math.max(mostAtOnce, ++analysing);
        await Promise.resolve();
        analysing--;
        events.push(`analysed ${index}`);
        return index * 2;
      },
      async render({ index, image }, analysis) {
        events.push(`render ${index}`);
        expect(analysis).toBe(index * 2);
        // The next frame's analysis starts before this render ends (the last frame has none).
        if (index < 4) await vi.waitFor(() => expect(events).toContain(`analysed ${index + 1}`));
        events.push(`rendered ${index}`);
        return image;
      },
    };
    const { ctx, outputs, progress, metadata } = jobContext('order');
    const seen: number[] = [];
    const result = await runFrameJob(ctx, {
      ...job(frames(5, events), pipeline),
      onFrame: ({ index }, analysis) => {
        expect(events.at(-1)).toBe(`rendered ${index}`);
        seen.push(analysis);
      },
      stages: ({ decode, analyse, render, encode, total }) => ({ analyse, render, decode, encode, total }),
      metadata: ({ frames, codec }) => ({ video: { frames, codec } }),
    });

    expect(seen).toEqual([0, 2, 4, 6, 8]);
    expect(mostAtOnce).toBe(1); // analyses run one at a time, in frame order
    for (let i = 0; i < 5; i++) {
      const at = (event: string) => events.indexOf(event);
      expect(at(`decode ${i}`)).toBeLessThan(at(`analyse ${i}`));
      expect(at(`analysed ${i}`)).toBeLessThan(at(`render ${i}`));
      if (i < 4) {
        expect(at(`analysed ${i}`)).toBeLessThan(at(`analyse ${i + 1}`));
        expect(at(`analyse ${i + 1}`)).toBeLessThan(at(`rendered ${i}`)); // the overlap
        expect(at(`rendered ${i}`)).toBeLessThan(at(`render ${i + 1}`));
      }
    }
    expect(events).toContain('source closed');

    expect(createEncoder).toHaveBeenCalledTimes(1);
    expect(vi.mocked(createEncoder).mock.calls[0]?.[1]).toEqual({
      fps: 10,
      crf: 30,
      width: WIDTH,
      height: HEIGHT,
    });
    expect(result.frames).toBe(5);
    expect(outputs.map((o) => o.slot)).toEqual(['result']);
    const file = path.join(os.tmpdir(), `visage-frame-job-${process.pid}.mp4`);
    await writeFile(file, outputs[0]?.data as Uint8Array);
    const info = await probeVideo(file).finally(() => rm(file));
    expect([info.frameCount, info.width, info.height, info.fps]).toEqual([5, WIDTH, HEIGHT, 10]);

    expect(Object.keys(metadata)).toEqual(['video', 'stageMs', 'framesPerSecond']);
    expect(metadata.video).toEqual({ frames: 5, codec: result.codec });
    expect(Object.keys(metadata.stageMs as object)).toEqual([
      'analyse',
      'render',
      'decode',
      'encode',
      'total',
    ]);
    expect(metadata.framesPerSecond).toBeGreaterThan(0);
    expect(progress.map((p) => p.stage)).toEqual([
      ...[1, 2, 3, 4, 5].map((n) => `frame ${n}/5`),
      'finishing the video',
    ]);
    expect(progress[0]?.preview?.mime).toBe('image/jpeg'); // the first frame at once
    expect(await tempLeftovers('order')).toEqual([]);
  });

  it('should stop between frames when cancelled, leaving no output, no temporary folder and no ffmpeg', async () => {
    const events: string[] = [];
    const controller = new AbortController();
    const { ctx, outputs } = jobContext('cancel', controller.signal);
    const rendered: number[] = [];
    const pipeline: FramePipeline<SequenceFrame, null, Picture> = {
      analyse: async () => null,
      render: async ({ index, image }) => {
        rendered.push(index);
        return image;
      },
    };
    const run = runFrameJob(ctx, {
      ...job(frames(5, events), pipeline),
      onFrame: ({ index }) => {
        if (index === 1) controller.abort(new Error('cancelled by the user'));
      },
    });
    await expect(run).rejects.toThrow('cancelled by the user');
    expect(rendered).toEqual([0, 1]);
    expect(outputs).toEqual([]);
    expect(events).toContain('source closed');
    expect(await tempLeftovers('cancel')).toEqual([]);
    await expect.poll(() => ffmpegChildren()).toEqual([]); // the encoder was killed
  });

  it('should wait for the frame analysed ahead before settling, and log its failure as a late one', async () => {
    const events: string[] = [];
    const { ctx, outputs, warn } = jobContext('late');
    let analysing = 0;
    let analysingWhenSettled = -1;
    const pipeline: FramePipeline<SequenceFrame, null, Picture> = {
      async analyse({ index }) {
        if (index === 0) return null;
        analysing++;
        events.push(`analyse ${index}`);
        // A slow inference, still running when the render fails.
        await new Promise((resolve) => setTimeout(resolve, 100));
        analysing--;
        throw new Error(`analysis ${index} failed`);
      },
      async render({ index }) {
        await vi.waitFor(() => expect(events).toContain(`analyse ${index + 1}`));
        throw new Error('render failed');
      },
    };
    const run = runFrameJob(ctx, job(frames(5, events), pipeline)).finally(() => {
      analysingWhenSettled = analysing;
    });
    await expect(run).rejects.toThrow('render failed');
    expect(analysingWhenSettled).toBe(0);
    expect(warn).toHaveBeenCalledWith(
      { err: expect.objectContaining({ message: 'analysis 1 failed' }) },
      'the frame analysed ahead failed after the job had stopped',
    );
    expect(events.at(-1)).toBe('source closed');
    expect(outputs).toEqual([]);
    expect(await tempLeftovers('late')).toEqual([]);
  });

  it("should throw an analysis failure of the frame it waits for as the job's own error", async () => {
    const { ctx, warn } = jobContext('own');
    const pipeline: FramePipeline<SequenceFrame, null, Picture> = {
      analyse: async ({ index }) => {
        if (index === 2) throw new Error('no face model');
        return null;
      },
      render: async ({ image }) => image,
    };
    await expect(runFrameJob(ctx, job(frames(5, []), pipeline))).rejects.toThrow('no face model');
    expect(warn).not.toHaveBeenCalled(); // reported once, as the error
    await expect.poll(() => ffmpegChildren()).toEqual([]);
  });

  it('should name an input without frames and one that ffmpeg cannot decode', async () => {
    const pipeline: FramePipeline<SequenceFrame, null, Picture> = {
      analyse: async () => null,
      render: async ({ image }) => image,
    };
    const empty = jobContext('empty');
    const none = runFrameJob(empty.ctx, job(frames(0, []), pipeline));
    await expect(none).rejects.toThrow(PluginInputError);
    await expect(none).rejects.toThrow('The clip has no frames');

    async function* unreadable(): AsyncGenerator<SequenceFrame> {
      yield* [];
      throw new FfmpegError('Cannot decode "clip.mp4"', 'moov atom not found', {
        tool: 'ffmpeg',
        reason: 'exited',
      });
    }
    const broken = jobContext('broken');
    const failed = runFrameJob(broken.ctx, job(unreadable(), pipeline));
    await expect(failed).rejects.toThrow(PluginInputError);
    await expect(failed).rejects.toThrow(
      'The clip cannot be decoded: Cannot decode "clip.mp4": moov atom not found',
    );
    expect([...empty.outputs, ...broken.outputs]).toEqual([]);
    expect(createEncoder).not.toHaveBeenCalled();
    expect([...(await tempLeftovers('empty')), ...(await tempLeftovers('broken'))]).toEqual([]);
  });
});
