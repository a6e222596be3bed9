import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError, fpsToRational, parseRational, probe, probeAudio, run } from '../src/index.ts';
import { makeColourPattern, makePhotoMotion, makeTestPattern, writeRotated } from '../src/testing.ts';

/** The repository's public-domain astronaut photo (fixtures/faces/PROVENANCE.md). */
const ASTRONAUT = resolve(import.meta.dirname, '../../../fixtures/faces/astronaut.png');

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

describe('probe', () => {
  it('reads size, rate, length, codec and audio of the test pattern', async () => {
    const info = await probe(pattern);
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
      displayWidth: 320,
      displayHeight: 240,
      streamIndex: 0,
    });
    expect(info.durationMs).toBeGreaterThanOrEqual(1960);
    expect(info.durationMs).toBeLessThanOrEqual(2040);
  });

  it('reads the colour matrix and range a file declares, and swscale’s defaults where it declares none', async () => {
    expect((await probe(pattern)).color).toEqual({ matrix: 'bt601', range: 'tv', tags: {} });
    const tagged = join(dir, 'tagged.mp4');
    const full = join(dir, 'full-range.mp4');
    await makeColourPattern(tagged, {
      tags: { space: 'bt709', primaries: 'bt709', transfer: 'bt709', range: 'tv' },
    });
    await makeColourPattern(full, { pixelFormat: 'yuvj420p', tags: { space: 'smpte170m' } });
    expect((await probe(tagged)).color).toEqual({
      matrix: 'bt709',
      range: 'tv',
      tags: { space: 'bt709', primaries: 'bt709', transfer: 'bt709', range: 'tv' },
    });
    expect((await probe(full)).color).toMatchObject({
      matrix: 'bt601',
      range: 'pc',
      tags: { space: 'smpte170m' },
    });
  });

  it('says when there is no audio (the photo with motion)', async () => {
    const info = await probe(photo);
    expect(info).toMatchObject({ width: 256, height: 256, fps: 25, frameCount: 50, hasAudio: false });
  });

  it('reports the display rotation and keeps the stored size', async () => {
    const rotated = join(dir, 'rotated.mp4');
    await writeRotated(pattern, rotated);
    const info = await probe(rotated);
    expect(info.rotation === 90 || info.rotation === 270).toBe(true);
    expect([info.width, info.height]).toEqual([320, 240]);
    expect([info.displayWidth, info.displayHeight]).toEqual([240, 320]);
  });

  it('estimates the frame count from the duration when the container has none (Matroska)', async () => {
    const mkv = join(dir, 'pattern.mkv');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', pattern, '-c', 'copy', mkv], 'remux');
    const info = await probe(mkv);
    expect(info.frameCount).toBe(50);
    expect(info.fps).toBe(25);
  });

  it('reads the packets when the header has no duration (WebM as browsers record it)', async () => {
    const webm = join(dir, 'recorded.webm');
    const args = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '1.2'];
    await run('ffmpeg', [...args, '-c:v', 'libvpx-vp9', '-b:v', '200k', webm], 'fixture');
    const bytes = await readFile(webm);
    // Overwrite the Segment Info's Duration element (ID 0x4489, 8-byte float) with an EBML Void element.
    const at = bytes.indexOf(Buffer.from([0x44, 0x89, 0x88]));
    expect(at).toBeGreaterThan(0);
    bytes.set([0xec, 0x89, ...new Uint8Array(9)], at);
    writeFileSync(webm, bytes);
    expect(await probe(webm)).toMatchObject({ codec: 'vp9', fps: 25, frameCount: 30, durationMs: 1200 });
  });

  it('says when a file has no video stream, and describes its audio', async () => {
    const sound = join(dir, 'sound.m4a');
    const sine = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:a', 'aac'];
    await run('ffmpeg', ['-v', 'error', '-y', ...sine, sound], 'fixture');
    const error = await probe(sound).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect(error).toMatchObject({ tool: 'ffprobe', reason: 'no-video-stream' });
    expect((error as Error).message).toMatch(
      /^Cannot read video "sound\.m4a": no video stream \(ffprobe reads it as "mov,/,
    );
    expect(await probeAudio(sound)).toEqual({ streamIndex: 0, codec: 'aac' });
    expect(await probeAudio(pattern)).toEqual({ streamIndex: 1, codec: 'aac' });
    expect(await probeAudio(photo)).toBeUndefined();
  });

  it('names the file and says what is wrong with random bytes', async () => {
    const corrupt = join(dir, 'corrupt.mp4');
    writeFileSync(corrupt, noise(64 * 1024));
    const error = await probe(corrupt).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect((error as Error).message).toMatch(/^Cannot read video "corrupt\.mp4": \S/);
    expect((error as FfmpegError).reason).toMatch(/^(exited|no-video-stream)$/);
  });

  it('passes on ffprobe’s own message for a truncated MP4 and a missing file', async () => {
    const truncated = join(dir, 'truncated.mp4');
    writeFileSync(truncated, (await readFile(pattern)).subarray(0, 2000));
    await expect(probe(truncated)).rejects.toThrow(
      /^Cannot read video "truncated\.mp4": .*(moov|Invalid data)/,
    );
    await expect(probe(join(dir, 'missing.mp4'))).rejects.toThrow(
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
