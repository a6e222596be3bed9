// The tools behind uploads: ffmpeg and ffprobe come from @visage/ffmpeg, so FFMPEG_PATH / FFPROBE_PATH
// choose them here too (their own tests are in packages/ffmpeg).
import { chmodSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FfmpegError } from '@visage/ffmpeg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatBytes, MediaError, MediaStore } from '../src/media/index.ts';
import { writeVideo } from '../src/media/testing.ts';

let dir: string;
let clip: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-media-tools-'));
  clip = path.join(dir, 'clip.mp4');
  await writeVideo(clip, { container: 'mp4', seconds: 1, audio: false });
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

/** A wrapper around the real `tool` that appends each call to `log`. */
async function recordingWrapper(tool: 'ffmpeg' | 'ffprobe', log: string): Promise<string> {
  const file = path.join(dir, `recorded-${tool}`);
  await writeFile(file, `#!/bin/sh\necho "${tool} $*" >> "${log}"\nexec ${tool} "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

async function tempFiles(store: MediaStore): Promise<string[]> {
  return readdir(path.join(store.root, 'tmp')).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
}

describe('uploads run the ffmpeg and ffprobe that FFMPEG_PATH / FFPROBE_PATH name', () => {
  it('probes and grabs the poster frame through them', async () => {
    const log = path.join(dir, 'calls.log');
    vi.stubEnv('FFPROBE_PATH', await recordingWrapper('ffprobe', log));
    vi.stubEnv('FFMPEG_PATH', await recordingWrapper('ffmpeg', log));
    const store = new MediaStore(path.join(dir, 'wrapped'));
    const stored = await store.ingestFile(clip);
    expect(stored).toMatchObject({ kind: 'video', width: 320, height: 240, fps: 25, codec: 'h264' });
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    // The probe, the packet read that finds truncated files (docs/reliability.md §6), the poster frame.
    expect(calls.map((call) => call.split(' ')[0])).toEqual(['ffprobe', 'ffmpeg', 'ffmpeg']);
    expect(calls[1]).toContain('-c copy');
    expect(calls[2]).toContain('-frames:v 1');
  });

  it('fails clearly, not as a corrupt file, when FFPROBE_PATH points nowhere', async () => {
    const missing = path.join(dir, 'no-such-ffprobe');
    vi.stubEnv('FFPROBE_PATH', missing);
    const store = new MediaStore(path.join(dir, 'no-ffprobe'));
    const error = await store.ingestFile(clip).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(MediaError); // the file is fine; the server is not
    expect(error).toBeInstanceOf(FfmpegError);
    expect(error).toMatchObject({ tool: 'ffprobe', reason: 'not-installed' });
    const { message } = error as FfmpegError;
    expect(message).toMatch(/^Cannot read video "[^"]+": FFPROBE_PATH points nowhere: /);
    expect(message).toContain(`nothing runnable at "${missing}"`);
    expect(await tempFiles(store)).toEqual([]);
  });

  it('fails clearly when FFMPEG_PATH points nowhere (the poster frame)', async () => {
    vi.stubEnv('FFMPEG_PATH', path.join(dir, 'no-such-ffmpeg'));
    const store = new MediaStore(path.join(dir, 'no-ffmpeg'));
    await expect(store.ingestFile(clip)).rejects.toThrow(
      /: FFMPEG_PATH points nowhere: nothing runnable at /,
    );
    expect(await tempFiles(store)).toEqual([]);
  });
});

describe(formatBytes.name, () => {
  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1536, '1.5 KB'],
    [50 * 1024 ** 2, '50 MB'],
    [64_172_851, '61.2 MB'],
    [2 * 1024 ** 3, '2 GB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
