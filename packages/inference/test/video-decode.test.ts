import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '@visage/ffmpeg';
import { ffmpegChildren, makeTestPattern, writeRotated } from '@visage/ffmpeg/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DecodeOptions, decodeFrames, type VideoFrame } from '../src/video/index.ts';

const W = 320;
const H = 240;
const FRAME = W * H * 3;
const dir = mkdtempSync(join(tmpdir(), 'visage-video-decode-'));
const pattern = join(dir, 'pattern.mp4');

beforeAll(() => makeTestPattern(pattern, { width: W, height: H, fps: 25, seconds: 2, audio: true }));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, options?: DecodeOptions): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of decodeFrames(path, options)) frames.push(frame);
  return frames;
}

/** Frame `n` extracted by a separate ffmpeg to PNG, read back as RGB with sharp. */
async function referenceFrame(path: string, n: number, scaleFlags?: string): Promise<Buffer> {
  const png = join(dir, `reference-${n}-${scaleFlags ?? 'default'}.png`);
  // Converting inside `scale` (not in the conversion ffmpeg inserts before the PNG encoder) applies the flags.
  const convert = scaleFlags ? `,scale=flags=${scaleFlags},format=rgb24` : '';
  const filter = `select=eq(n\\,${n})${convert}`;
  await run('ffmpeg', ['-v', 'error', '-y', '-i', path, '-vf', filter, '-frames:v', '1', png], 'reference');
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
  return data;
}

function diff(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  expect(a.byteLength).toBe(b.byteLength);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / a.length, max };
}

describe('decodeFrames', () => {
  it('yields all 50 frames of 320×240 RGB in order, each in a buffer of its own', async () => {
    const frames = await collect(pattern);
    expect(frames).toHaveLength(50);
    frames.forEach((frame, i) => {
      expect(frame.index).toBe(i);
      expect(frame.timeMs).toBeCloseTo(i * 40, 6);
      expect([frame.width, frame.height, frame.data.byteLength]).toEqual([W, H, FRAME]);
    });
    // Kept frames must not be overwritten by later ones (no shared scratch buffer handed out).
    expect(new Set(frames.map((f) => f.data.buffer)).size).toBe(50);
    expect(diff(frames[0]?.data as Uint8Array, frames[49]?.data as Uint8Array).mean).toBeGreaterThan(1);
    const again = await collect(pattern, { durationMs: 40 });
    expect(diff(again[0]?.data as Uint8Array, frames[0]?.data as Uint8Array).max).toBe(0);
  });

  it('matches the frame ffmpeg extracts on its own (select → PNG → sharp)', async () => {
    const frames = await collect(pattern);
    const frame = frames[17]?.data as Uint8Array;
    // Same YUV→RGB conversion settings as decodeFrames: the same pixels, through a different route.
    const exact = await referenceFrame(pattern, 17, 'bilinear+accurate_rnd+full_chroma_int');
    const same = diff(frame, exact);
    expect(same.mean).toBeLessThan(0.1);
    expect(same.max).toBeLessThanOrEqual(2);
    // ffmpeg's default conversion interpolates chroma more crudely: close, not equal, on these hard
    // colour edges.
    const rough = diff(frame, await referenceFrame(pattern, 17));
    expect(rough.mean).toBeLessThan(4);
    // The neighbouring frame differs (the pattern moves), so the comparisons can tell frames apart.
    expect(diff(frames[18]?.data as Uint8Array, exact).mean).toBeGreaterThan(same.mean + 0.5);
  });

  it('resizes (one side keeps the aspect ratio) and resamples the rate', async () => {
    const small = await collect(pattern, { width: 160, fps: 10 });
    expect(small).toHaveLength(20);
    expect(small.map((f) => f.timeMs).slice(0, 3)).toEqual([0, 100, 200]);
    expect([small[0]?.width, small[0]?.height, small[0]?.data.byteLength]).toEqual([160, 120, 160 * 120 * 3]);
    const both = await collect(pattern, { width: 64, height: 64, durationMs: 200 });
    expect(both.map((f) => f.data.byteLength)).toEqual(Array(5).fill(64 * 64 * 3));
  });

  it('trims with startMs/durationMs to the right frames', async () => {
    const all = await collect(pattern);
    const part = await collect(pattern, { startMs: 520, durationMs: 1000 });
    expect(part).toHaveLength(25);
    expect(part[0]?.timeMs).toBe(520);
    expect(part[24]?.timeMs).toBeCloseTo(520 + 24 * 40, 6);
    // 520 ms is frame 13 of the source, decoded the same way after the seek.
    expect(diff(part[0]?.data as Uint8Array, all[13]?.data as Uint8Array).mean).toBeLessThan(0.5);
    expect(diff(part[0]?.data as Uint8Array, all[12]?.data as Uint8Array).mean).toBeGreaterThan(0.5);
  });

  it('turns rotated videos upright (the sides swap)', async () => {
    const rotated = join(dir, 'rotated.mp4');
    await writeRotated(pattern, rotated);
    const frames = await collect(rotated, { durationMs: 120 });
    expect(frames.map((f) => [f.width, f.height])).toEqual([
      [H, W],
      [H, W],
      [H, W],
    ]);
  });

  it('kills and reaps ffmpeg when the loop breaks early', async () => {
    let seen = 0;
    let during: string[] = [];
    for await (const frame of decodeFrames(pattern)) {
      expect(frame.index).toBe(seen);
      seen++;
      if (seen === 3) {
        during = ffmpegChildren();
        break;
      }
    }
    expect(seen).toBe(3);
    expect(during).toHaveLength(1); // the check can see a running ffmpeg…
    expect(ffmpegChildren()).toEqual([]); // …and none is left, not even a zombie
  });

  it('stops on an AbortSignal: the loop throws the reason and ffmpeg is gone', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const consume = async () => {
      for await (const frame of decodeFrames(pattern, { signal: controller.signal })) {
        seen.push(frame.index);
        if (frame.index === 2) controller.abort(new Error('user cancelled'));
        await sleep(5);
      }
    };
    await expect(consume()).rejects.toThrow('user cancelled');
    expect(seen).toEqual([0, 1, 2]);
    expect(ffmpegChildren()).toEqual([]);

    const late = new AbortController();
    const stream = decodeFrames(pattern, { signal: late.signal });
    await stream.next();
    setTimeout(() => late.abort(), 20);
    await expect(
      (async () => {
        for await (const _ of stream) await sleep(50);
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(ffmpegChildren()).toEqual([]);
    await expect(decodeFrames(pattern, { signal: AbortSignal.abort() }).next()).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('keeps about a frame buffered ahead of a slow consumer (back-pressure)', async () => {
    const stream = decodeFrames(pattern);
    let maxBuffered = 0;
    for await (const frame of stream) {
      // ffmpeg decodes this clip in well under 100 ms: without back-pressure all 50 frames (11 MB)
      // would be read into memory while we sleep here.
      await sleep(frame.index < 4 ? 60 : 0);
      maxBuffered = Math.max(maxBuffered, stream.stats.bufferedBytes);
      if (frame.index === 3) expect(stream.stats.bytesRead).toBeLessThan(5 * FRAME);
      if (frame.index === 6) break;
    }
    expect(stream.stats.framesYielded).toBe(7);
    // Frames are read whole, so up to one more frame (rounded up to a power of two) waits in Node.
    expect(maxBuffered).toBeLessThan(2 * FRAME);
  });

  it('names the file for random bytes, and says when ffmpeg itself cannot run', async () => {
    const corrupt = join(dir, 'corrupt.mp4');
    writeFileSync(
      corrupt,
      Buffer.from(Array.from({ length: 65536 }, (_, i) => ((i * 2654435761) >>> 24) & 255)),
    );
    await expect(collect(corrupt)).rejects.toThrow(/^Cannot read video "corrupt\.mp4": \S/);

    vi.stubEnv('FFMPEG_PATH', join(dir, 'no-such-ffmpeg'));
    try {
      await expect(collect(pattern)).rejects.toThrow(
        /^Cannot decode "pattern\.mp4": FFMPEG_PATH points nowhere: nothing runnable at ".*no-such-ffmpeg"/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('rejects bad options before starting ffmpeg', async () => {
    await expect(collect(pattern, { width: 0 })).rejects.toThrow(RangeError);
    await expect(collect(pattern, { startMs: -1 })).rejects.toThrow(RangeError);
    await expect(collect(pattern, { fps: Number.NaN })).rejects.toThrow(RangeError);
  });
});
