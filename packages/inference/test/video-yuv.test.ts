// Video frames in their own yuv420p (docs/video.md §2): the decoder hands out exactly ffmpeg's samples,
// keeps full range full, and the encoder takes them back unchanged; a paste changes only its own pixels
// and its colour survives the trip through H.264 (lossless here, so "unchanged" can mean bit-identical).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@visage/ffmpeg';
import { makeColourPattern, makeTestPattern } from '@visage/ffmpeg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affine, pasteBack, type RgbImage, type YuvImage, yuvPlanes } from '../src/index.ts';
import {
  createEncoder,
  type DecodeOptions,
  decodeFrames,
  framePicture,
  probeVideo,
  type VideoFrame,
} from '../src/video/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'visage-video-yuv-'));
const pattern = join(dir, 'pattern.mp4');
const tagged = join(dir, 'bt709.mp4');
const fullRange = join(dir, 'full-range.mp4');
const odd = join(dir, 'odd.mp4');

beforeAll(async () => {
  await makeTestPattern(pattern, { width: 320, height: 240, fps: 25, seconds: 2, audio: true });
  await makeColourPattern(tagged, { tags: { space: 'bt709', primaries: 'bt709', transfer: 'bt709' } });
  await makeColourPattern(fullRange, { pixelFormat: 'yuvj420p' });
  await makeColourPattern(odd, { width: 63, height: 47, pixelFormat: 'yuv444p' }); // 4:4:4, so the decoder converts
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(
  path: string,
  options: DecodeOptions = { pixelFormat: 'yuv420p' },
): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of decodeFrames(path, options)) frames.push(frame);
  return frames;
}

/** Every frame of `path` as ffmpeg itself writes it raw in `pixFmt`. */
async function rawFrames(path: string, pixFmt: string): Promise<Buffer> {
  const out = join(dir, `raw-${pixFmt}.yuv`);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', path, '-f', 'rawvideo', '-pix_fmt', pixFmt, out], 'raw');
  return readFileSync(out);
}

const joined = (frames: VideoFrame[]) => Buffer.concat(frames.map((f) => f.data));

describe('yuv420p frames', () => {
  it("are exactly ffmpeg's own samples, with the file's colours", async () => {
    const frames = await collect(pattern);
    expect(frames).toHaveLength(50);
    expect(frames[0]).toMatchObject({
      width: 320,
      height: 240,
      pixelFormat: 'yuv420p',
      color: { matrix: 'bt601', range: 'tv' },
    });
    expect(frames[0]?.data.byteLength).toBe(320 * 240 * 1.5);
    expect(joined(frames).equals(await rawFrames(pattern, 'yuv420p'))).toBe(true);
    const [first] = await collect(tagged);
    expect(first?.color).toEqual({ matrix: 'bt709', range: 'tv' });
  });

  it('keep full range full (yuvj420p is not squeezed into 16–235)', async () => {
    const frames = await collect(fullRange);
    expect(frames[0]?.color).toEqual({ matrix: 'bt601', range: 'pc' });
    const ours = joined(frames);
    expect(ours.equals(await rawFrames(fullRange, 'yuvj420p'))).toBe(true);
    expect(Math.min(...ours.subarray(0, 160 * 120))).toBeLessThan(16);
  });

  it('drop the odd last column and row', async () => {
    const [first] = await collect(odd);
    expect([first?.width, first?.height, first?.data.byteLength]).toEqual([62, 46, 62 * 46 * 1.5]);
  });

  it('go back through the encoder unchanged, and a paste changes only its own pixels', async () => {
    const info = await probeVideo(pattern);
    const frames = await collect(pattern);
    const original = frames.map((f) => Uint8Array.from(f.data));
    // A flat orange patch on frame 10, at an odd place so it starts inside 2×2 chroma blocks.
    const colour = [230, 120, 20];
    const patch: RgbImage = { width: 48, height: 40, channels: 3, data: new Uint8Array(48 * 40 * 3) };
    for (let i = 0; i < 48 * 40; i++) patch.data.set(colour, i * 3);
    const target = framePicture(frames[10] as VideoFrame) as YuvImage;
    pasteBack(target, patch, affine(1, 0, 101, 0, 1, 77), new Float32Array(48 * 40).fill(1));

    const out = join(dir, 'roundtrip.mp4');
    const encoder = await createEncoder(out, {
      width: 320,
      height: 240,
      fps: info.fps,
      crf: 0, // lossless: whatever changes was changed by us
      preset: 'ultrafast',
      codec: 'libx264',
      pixelFormat: 'yuv420p',
      color: info.color,
      audioFrom: pattern,
    });
    for (const frame of frames) await encoder.write(frame.data);
    await encoder.finish();
    const result = await probeVideo(out);
    expect(result).toMatchObject({ frameCount: 50, fps: 25, hasAudio: true, pixelFormat: 'yuv420p' });
    // The source declared no colours, so neither does the result: players read both alike.
    expect(result.color.tags).toEqual({});

    const back = await collect(out);
    back.forEach((frame, i) => {
      if (i !== 10) expect(Buffer.from(frame.data).equals(Buffer.from(original[i] as Uint8Array))).toBe(true);
    });
    const before = yuvPlanes({ ...target, data: original[10] as Uint8Array });
    const after = yuvPlanes({ ...target, data: (back[10] as VideoFrame).data });
    const inPatch = (x: number, y: number) => x >= 100 && x <= 149 && y >= 76 && y <= 117;
    for (let y = 0; y < 240; y++) {
      for (let x = 0; x < 320; x++) {
        if (inPatch(x, y)) continue;
        expect(after.y[y * 320 + x]).toBe(before.y[y * 320 + x]);
        if (x % 2 === 0 && y % 2 === 0 && !inPatch(x + 1, y + 1)) {
          const c = (y / 2) * 160 + x / 2;
          expect([after.u[c], after.v[c]]).toEqual([before.u[c], before.v[c]]);
        }
      }
    }
    // ffmpeg's RGB reading of the result shows the patch's colour inside it.
    const [rgb] = await collect(out, { pixelFormat: 'rgb24', startMs: 400, durationMs: 40 });
    for (const [x, y] of [
      [110, 85],
      [125, 97],
      [140, 110],
    ] as const) {
      const o = (y * 320 + x) * 3;
      for (const [c, value] of Array.from(rgb?.data.subarray(o, o + 3) ?? []).entries()) {
        expect(Math.abs(value - (colour[c] as number))).toBeLessThanOrEqual(2);
      }
    }
  });

  it('repeat a source’s declared colours on the way out', async () => {
    const info = await probeVideo(tagged);
    const out = join(dir, 'tagged-out.mp4');
    const encoder = await createEncoder(out, {
      width: 160,
      height: 120,
      fps: 25,
      preset: 'ultrafast',
      codec: 'libx264',
      pixelFormat: 'yuv420p',
      color: info.color,
    });
    for (const frame of await collect(tagged)) await encoder.write(frame.data);
    await encoder.finish();
    expect((await probeVideo(out)).color).toEqual(info.color);
    await expect(encoder.write(new Uint8Array(10))).rejects.toThrow(/the encoder is done/);
  });

  it('refuses a frame of the wrong size, naming the yuv420p size', async () => {
    const encoder = await createEncoder(join(dir, 'wrong.mp4'), {
      width: 160,
      height: 120,
      fps: 25,
      codec: 'libx264',
      pixelFormat: 'yuv420p',
    });
    await expect(encoder.write(new Uint8Array(160 * 120 * 3))).rejects.toThrow(
      /160×120 yuv420p = 28800 bytes/,
    );
    await encoder.abort();
  });
});
