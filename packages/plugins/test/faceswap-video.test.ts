// The face swap plugin on video and as a frame processor: a clip made from astronaut.png (panning,
// with two black frames and a tone), the real BlazeFace, fixture ArcFace / inswapper.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  autoVideoDecoder,
  decodeFrames,
  decodeImage,
  frameImage,
  framePicture,
  type ModelManager,
  probeVideo,
  type YuvImage,
  yuvPlanes,
  yuvToRgb,
} from '@visage/inference';
import { ffmpegChildren } from '@visage/inference/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faceswapPlugin, openFaceSwapFrameProcessor } from '../src/faceswap/index.ts';
import { PluginInputError } from '../src/types.ts';
import {
  ASTRONAUT,
  fixtureModelManager,
  imageAsset,
  recordingContext,
  videoAsset,
  writeAstronautClip,
  writeFixtureModels,
} from './support/faceswap.ts';

const SOURCE = '0190c5a0-0000-7000-8000-00000000001a';
const CLIP = '0190c5a0-0000-7000-8000-00000000001b';
const BROKEN = '0190c5a0-0000-7000-8000-00000000001c';
const BLACK_FRAMES = [5, 6];

let dir: string;
let models: ModelManager;
let clip: string;
let inputs: Record<string, ReturnType<typeof imageAsset>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-faceswap-video-'));
  models = fixtureModelManager(await writeFixtureModels(dir));
  clip = path.join(dir, 'clip.mp4');
  await writeAstronautClip(clip, { frames: 12, fps: 10, black: BLACK_FRAMES });
  const broken = path.join(dir, 'broken.mp4');
  await writeFile(broken, Buffer.alloc(4096, 7));
  inputs = {
    [SOURCE]: imageAsset(ASTRONAUT, 'astronaut.png'),
    [CLIP]: videoAsset(clip, 'clip.mp4'),
    [BROKEN]: videoAsset(broken, 'broken.mp4'),
  };
});
afterAll(async () => {
  await models.unloadAll();
  await rm(dir, { recursive: true, force: true });
});

async function collectFrames<T>(frames: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const frame of frames) all.push(frame);
  return all;
}

const input = (overrides: Record<string, unknown> = {}) =>
  faceswapPlugin.input.parse({ source: [SOURCE], target: CLIP, ...overrides });

async function tempLeftovers(jobId: string): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith(`visage-faceswap-${jobId}-`));
}

describe('face swap on a video', () => {
  it('should keep frame count, fps and audio, pass faceless frames through and report them', async () => {
    const { ctx, outputs, metadata, progress } = recordingContext(models, inputs, { jobId: 'video-ok' });
    await faceswapPlugin.run(ctx, input());
    expect(outputs).toHaveLength(1);
    const out = path.join(dir, 'out.mp4');
    await writeFile(out, outputs[0]?.data as Uint8Array);
    const [before, after] = await Promise.all([probeVideo(clip), probeVideo(out)]);
    expect(after.frameCount).toBe(12);
    expect(after.frameCount).toBe(before.frameCount);
    expect(after.frameRate).toBe(before.frameRate);
    expect(after.hasAudio).toBe(true);
    expect([after.width, after.height]).toEqual([320, 320]);

    const faces = metadata.faces as Record<string, unknown>;
    expect(faces.framesWithoutFace).toBe(BLACK_FRAMES.length);
    expect(faces.swapped).toBe(12 - BLACK_FRAMES.length);
    // Faces per frame, run-length coded: 5 frames with one face, 2 without, 5 with.
    expect(faces.perFrame).toEqual([
      [1, 5],
      [0, 2],
      [1, 5],
    ]);
    // The job records the decoder this machine chose (software without a GPU).
    expect(metadata.video).toMatchObject({ frames: 12, decoder: (await autoVideoDecoder()).decoder });

    // The black frames stay black; the others changed around the face.
    let index = 0;
    const original = decodeFrames(clip);
    for await (const frame of decodeFrames(out)) {
      const source = (await original.next()).value;
      let diff = 0;
      for (let i = 0; i < frame.data.length; i++)
        diff += Math.abs((frame.data[i] ?? 0) - (source?.data[i] ?? 0));
      const mean = diff / frame.data.length;
      if (BLACK_FRAMES.includes(index)) expect(mean).toBeLessThan(1);
      else expect(mean).toBeGreaterThan(1);
      index++;
    }
    expect(index).toBe(12);
    // Progress counted frames and carried a preview; the temporary folder is gone.
    expect(progress.some((p) => p.stage === 'frame 12/12')).toBe(true);
    expect(progress.some((p) => p.preview?.mime === 'image/jpeg')).toBe(true);
    expect(await tempLeftovers('video-ok')).toEqual([]);
  });

  it('should swap a yuv420p frame as the same picture in RGB, leaving every pixel off the face bit-identical', async () => {
    const [frame] = await collectFrames(decodeFrames(clip, { pixelFormat: 'yuv420p', durationMs: 100 }));
    const yuv = framePicture(frame as NonNullable<typeof frame>) as YuvImage;
    const original = Uint8Array.from(yuv.data);
    const rgb = yuvToRgb(yuv);
    const rgbBefore = Uint8Array.from(rgb.data);
    const sources = [{ name: 'astronaut.png', image: await decodeImage(ASTRONAUT) }];
    const viaRgb = await openFaceSwapFrameProcessor((id) => models.acquire(id), input(), sources);
    const viaYuv = await openFaceSwapFrameProcessor((id) => models.acquire(id), input(), sources);
    try {
      await viaRgb.process(rgb);
      expect(await viaYuv.process(yuv)).toBe(yuv); // in place
      await checkOnlyTheFaceChanged();
    } finally {
      viaRgb.close();
      viaYuv.close();
    }

    async function checkOnlyTheFaceChanged() {
      // Where the RGB swap changed anything: the face's paste rectangle.
      let [x0, y0, x1, y1] = [yuv.width, yuv.height, -1, -1];
      for (let i = 0; i < rgb.data.length; i++) {
        if (rgb.data[i] === rgbBefore[i]) continue;
        const p = Math.floor(i / 3);
        const [x, y] = [p % yuv.width, Math.floor(p / yuv.width)];
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
      expect(x1 - x0).toBeGreaterThan(40); // a face was swapped
      const before = yuvPlanes({ ...yuv, data: original });
      const after = yuvPlanes(yuv);
      let outside = 0;
      let changed = 0;
      for (let y = 0; y < yuv.height; y++) {
        for (let x = 0; x < yuv.width; x++) {
          const i = y * yuv.width + x;
          const near = x >= x0 - 2 && x <= x1 + 2 && y >= y0 - 2 && y <= y1 + 2;
          if (after.y[i] !== before.y[i]) near ? changed++ : outside++;
        }
      }
      expect(outside).toBe(0);
      expect(changed).toBeGreaterThan((x1 - x0) * (y1 - y0) * 0.3);
      // The same face found at the same place: the detector's input and the crops were sampled from
      // yuv420p instead of RGB, the colours a level apart (image-yuv.test.ts), the geometry the same.
      const [fromRgb] = await viaRgb.processor.findFaces(yuvToRgb({ ...yuv, data: original }));
      const [fromYuv] = await viaYuv.processor.findFaces({ ...yuv, data: original });
      fromRgb?.points.forEach(([x, y], i) => {
        expect(Math.abs(x - (fromYuv?.points[i]?.[0] ?? Number.NaN))).toBeLessThan(1);
        expect(Math.abs(y - (fromYuv?.points[i]?.[1] ?? Number.NaN))).toBeLessThan(1);
      });
    }
  });

  it('should stop when cancelled mid-video, leaving no output and no temporary files', async () => {
    const controller = new AbortController();
    const { ctx, outputs, progress } = recordingContext(models, inputs, {
      signal: controller.signal,
      jobId: 'video-cancel',
    });
    const original = ctx.progress;
    ctx.progress = (fraction, stage, preview) => {
      original(fraction, stage, preview);
      if (stage === 'frame 4/12') controller.abort(new Error('cancelled by the user'));
    };
    await expect(faceswapPlugin.run(ctx, input())).rejects.toThrow('cancelled by the user');
    expect(outputs).toHaveLength(0);
    expect(progress.map((p) => p.stage)).not.toContain('frame 6/12');
    expect(await tempLeftovers('video-cancel')).toEqual([]);
    await expect.poll(() => ffmpegChildren()).toEqual([]); // the decoder and encoder are gone
  });

  it('should clean up the same way when the job fails half way', async () => {
    const { ctx, outputs } = recordingContext(models, inputs, { jobId: 'video-fail' });
    const original = ctx.progress;
    ctx.progress = (fraction, stage, preview) => {
      original(fraction, stage, preview);
      if (stage === 'frame 3/12') throw new Error('disk full');
    };
    await expect(faceswapPlugin.run(ctx, input())).rejects.toThrow('disk full');
    expect(outputs).toHaveLength(0);
    expect(await tempLeftovers('video-fail')).toEqual([]);
    await expect.poll(() => ffmpegChildren()).toEqual([]);
  });

  it('should find the reference face in a frame of the target and swap only matching faces', async () => {
    const { ctx, outputs, metadata } = recordingContext(models, inputs, { jobId: 'video-ref' });
    await faceswapPlugin.run(ctx, input({ faces: 'reference', referenceFrame: 2 }));
    expect(outputs).toHaveLength(1);
    // The same astronaut in every frame, so every frame with a face matches.
    expect((metadata.faces as Record<string, unknown>).swapped).toBe(12 - BLACK_FRAMES.length);
  });

  it('should say the reference frame is past the end', async () => {
    const { ctx } = recordingContext(models, inputs);
    await expect(faceswapPlugin.run(ctx, input({ faces: 'reference', referenceFrame: 50 }))).rejects.toThrow(
      'The reference frame 50 is past the end of "clip.mp4" (12 frames)',
    );
  });

  it('should name an unreadable video', async () => {
    const { ctx, outputs } = recordingContext(models, inputs);
    const run = faceswapPlugin.run(ctx, input({ target: BROKEN }));
    await expect(run).rejects.toThrow(PluginInputError);
    await expect(run).rejects.toThrow(/The target video "broken\.mp4" cannot be read/);
    expect(outputs).toHaveLength(0);
  });
});

describe('the frame processor (realtime path)', () => {
  it('should swap frame after frame with warm sessions, detecting every n-th frame', async () => {
    const realtime = await openFaceSwapFrameProcessor((id) => models.acquire(id), input({ detectEvery: 3 }), [
      { name: 'astronaut.png', image: await decodeImage(ASTRONAUT) },
    ]);
    try {
      const { processor } = realtime;
      const detector = processor.models.detector.session;
      const swapper = processor.models.swapper.session;
      const detectRuns = detector.stats().runs;
      const swapRuns = swapper.stats().runs;
      const frames = [];
      for await (const frame of decodeFrames(clip, { durationMs: 400 })) frames.push(frame); // frames 0–3
      expect(frames).toHaveLength(4);
      for (const frame of frames) {
        const image = frameImage(frame);
        const before = Uint8Array.from(image.data);
        const out = await realtime.process(image);
        expect(out).toBe(image); // in place
        expect(Buffer.compare(Buffer.from(before), Buffer.from(out.data))).not.toBe(0);
      }
      // Detection on frames 0 and 3 only; a swap on every frame.
      expect(detector.stats().runs - detectRuns).toBe(2);
      expect(swapper.stats().runs - swapRuns).toBe(4);
      expect(processor.stats).toMatchObject({ frames: 4, facesSwapped: 4, framesWithoutFace: 0 });
      expect(realtime.models.map((m) => m.role)).toEqual(['detector', 'recognizer', 'swapper']);
    } finally {
      realtime.close();
    }
    await expect(realtime.process(await decodeImage(ASTRONAUT))).rejects.toThrow(/closed/);
  });
});
