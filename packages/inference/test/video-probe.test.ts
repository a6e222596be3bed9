import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTRONAUT } from '../src/testing.ts';
import { FfmpegError, fpsToRational, parseRational, probeVideo } from '../src/video/index.ts';
import { makePhotoMotion, makeTestPattern } from '../src/video/synthetic.ts';
import { writeRotated } from './support/video.ts';

const dir = mkdtempSync(join(tmpdir(), 'visage-video-probe-'));
const pattern = join(dir, 'pattern.mp4');
const photo = join(dir, 'astronaut.mp4');

/** Deterministic "random" bytes (xorshift), so a failure can be reproduced. */
function noise(length: number, seed = 0x9e3779b9): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

beforeAll(async () => {
  await makeTestPattern(pattern, { width: 320, height: 240, fps: 25, seconds: 2, audio: true });
  await makePhotoMotion(photo, ASTRONAUT, { size: 256, fps: 25, seconds: 2 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probeVideo', () => {
  it('reads size, rate, length, codec and audio of the test pattern', async () => {
    const info = await probeVideo(pattern);
    expect(info).toMatchObject({
      width: 320,
      height: 240,
      fps: 25,
      frameRate: '25/1',
      frameCount: 50,
      codec: 'h264',
      pixelFormat: 'yuv420p',
      hasAudio: true,
      rotation: 0,
      streamIndex: 0,
    });
    expect(info.durationMs).toBeGreaterThanOrEqual(1960);
    expect(info.durationMs).toBeLessThanOrEqual(2040);
  });

  it('says when there is no audio (the photo with motion)', async () => {
    const info = await probeVideo(photo);
    expect(info).toMatchObject({ width: 256, height: 256, fps: 25, frameCount: 50, hasAudio: false });
  });

  it('reports the display rotation and keeps the stored size', async () => {
    const rotated = join(dir, 'rotated.mp4');
    writeRotated(pattern, rotated);
    const info = await probeVideo(rotated);
    expect(info.rotation === 90 || info.rotation === 270).toBe(true);
    expect([info.width, info.height]).toEqual([320, 240]);
  });

  it('estimates the frame count from the duration when the container has none (Matroska)', async () => {
    const mkv = join(dir, 'pattern.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', pattern, '-c', 'copy', mkv]);
    const info = await probeVideo(mkv);
    expect(info.frameCount).toBe(50);
    expect(info.fps).toBe(25);
  });

  it('names the file and says what is wrong with random bytes', async () => {
    const corrupt = join(dir, 'corrupt.mp4');
    writeFileSync(corrupt, noise(64 * 1024));
    const error = await probeVideo(corrupt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as Error).message).toMatch(/^Cannot read video "corrupt\.mp4": \S/);
  });

  it('passes on ffprobe’s own message for a truncated MP4 and a missing file', async () => {
    const truncated = join(dir, 'truncated.mp4');
    writeFileSync(truncated, (await readFile(pattern)).subarray(0, 2000));
    await expect(probeVideo(truncated)).rejects.toThrow(
      /^Cannot read video "truncated\.mp4": .*(moov|Invalid data)/,
    );
    await expect(probeVideo(join(dir, 'missing.mp4'))).rejects.toThrow(
      /^Cannot read video "missing\.mp4": .*No such file or directory/,
    );
  });
});

describe('frame rates', () => {
  it('parses ffprobe rationals and writes exact ones', () => {
    expect(parseRational('30000/1001')).toBeCloseTo(29.97003, 5);
    expect(parseRational('0/0')).toBeUndefined();
    expect(fpsToRational(25)).toBe('25');
    expect(fpsToRational(30000 / 1001)).toBe('30000/1001');
    expect(fpsToRational(29.97)).toBe('30000/1001');
    expect(fpsToRational(12.5)).toBe('25/2');
    expect(() => fpsToRational(0)).toThrow(RangeError);
  });
});
