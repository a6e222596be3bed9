import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeRotated } from '@visage/ffmpeg/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError, MediaStore, probeImage } from '../src/media/index.ts';
import { chunked, imageBytes, noiseImageBytes, writeVideo } from '../src/media/testing.ts';

let dir: string;
let store: MediaStore;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-media-store-'));
  store = new MediaStore(path.join(dir, 'store'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** The MediaError a promise rejects with (fails the test when it resolves or throws something else). */
async function mediaError(promise: Promise<unknown>): Promise<MediaError> {
  const error = await promise.then(
    () => expect.unreachable('expected a MediaError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MediaError);
  return error as MediaError;
}

async function tempFiles(): Promise<string[]> {
  return readdir(path.join(store.root, 'tmp')).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
}

async function expectThumbnail(key: string, width: number, height: number) {
  const meta = await sharp(store.absolutePath(key)).metadata();
  expect(meta.format).toBe('webp');
  expect([meta.width, meta.height]).toEqual([width, height]);
}

describe('MediaStore images', () => {
  it('should store a PNG under its sha256 with dimensions and a WebP thumbnail', async () => {
    const png = await imageBytes('png', 1024, 768);
    const stored = await store.ingest(once(png), { originalName: 'photo.png' });
    const hash = sha256(png);
    expect(stored).toEqual({
      sha256: hash,
      bytes: png.byteLength,
      mime: 'image/png',
      kind: 'image',
      storageKey: `${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}.png`,
      thumbnailKey: `thumbs/${hash}.webp`,
      width: 1024,
      height: 768,
    });
    expect(await readFile(path.join(store.root, stored.storageKey))).toEqual(png);
    await expectThumbnail(stored.thumbnailKey, 512, 384);
    expect(await tempFiles()).toEqual([]);
  });

  it.each([
    ['jpeg', 'image/jpeg', 'jpg'],
    ['webp', 'image/webp', 'webp'],
  ] as const)('should detect %s from its bytes, whatever the name says', async (format, mime, ext) => {
    const bytes = await imageBytes(format, 300, 200, { r: 1, g: 2, b: 3 });
    const stored = await store.ingest(once(bytes), { originalName: 'misnamed.png' });
    expect(stored).toMatchObject({ mime, width: 300, height: 200 });
    expect(stored.storageKey.endsWith(`.${ext}`)).toBe(true);
    // Small images are not enlarged.
    await expectThumbnail(stored.thumbnailKey, 300, 200);
  });

  it('should report the displayed size of a JPEG rotated by its EXIF orientation', async () => {
    const jpeg = await sharp(await imageBytes('jpeg', 400, 100))
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const stored = await store.ingest(once(jpeg));
    expect([stored.width, stored.height]).toEqual([100, 400]);
    await expectThumbnail(stored.thumbnailKey, 100, 400);
  });

  it('should keep one file for the same bytes uploaded twice', async () => {
    const png = await imageBytes('png', 64, 64, { r: 9, g: 9, b: 9 });
    const first = await store.ingest(once(png));
    const second = await store.ingest(once(png), { originalName: 'again.png' });
    expect(second).toEqual(first);
    const folder = path.dirname(store.absolutePath(first.storageKey));
    expect(await readdir(folder)).toEqual([path.basename(first.storageKey)]);
    expect(await tempFiles()).toEqual([]);
  });

  it('should reject a truncated PNG as corrupt and leave no temp file', async () => {
    const png = await noiseImageBytes(300, 300);
    const cut = png.subarray(0, Math.floor(png.byteLength / 2));
    const error = await mediaError(store.ingest(once(cut), { originalName: 'photo.png' }));
    expect(error).toMatchObject({ code: 'CORRUPT', status: 422 });
    expect(error.message).toMatch(/^"photo\.png" is a corrupt or truncated PNG image: .+/);
    expect(await tempFiles()).toEqual([]);
    expect(existsSync(path.join(store.root, 'thumbs', `${sha256(cut)}.webp`))).toBe(false);
  });

  it('should make probeImage decode every pixel, so a cut-off PNG with intact headers fails', async () => {
    const file = path.join(dir, 'cut.png');
    const png = await noiseImageBytes(200, 200);
    await writeFile(file, png.subarray(0, png.byteLength - 5000));
    await expect(probeImage(file)).rejects.toMatchObject({ code: 'CORRUPT' });
    await writeFile(file, png);
    expect(await probeImage(file)).toEqual({ width: 200, height: 200, format: 'png' });
  });
});

describe('MediaStore videos', () => {
  it('should probe an MP4 and write a poster frame', async () => {
    const file = path.join(dir, 'clip.mp4');
    await writeVideo(file, { container: 'mp4' });
    const stored = await store.ingestFile(file);
    expect(stored).toMatchObject({ mime: 'video/mp4', kind: 'video', width: 320, height: 240 });
    expect(stored.durationMs).toBeGreaterThanOrEqual(1950);
    expect(stored.durationMs).toBeLessThanOrEqual(2100);
    expect(stored).toMatchObject({ fps: 25, codec: 'h264', hasAudio: true });
    expect(stored.sha256).toBe(sha256(await readFile(file)));
    expect(stored.storageKey.endsWith('.mp4')).toBe(true);
    await expectThumbnail(stored.thumbnailKey, 320, 240);
    expect(existsSync(file)).toBe(true); // ingestFile copies; the worker's file is its own to delete
  });

  it('should probe a WebM without audio', async () => {
    const file = path.join(dir, 'clip.webm');
    await writeVideo(file, { container: 'webm', seconds: 1, width: 640, height: 360, fps: 30, audio: false });
    const stored = await store.ingest(createReadStream(file), { originalName: 'clip.webm' });
    expect(stored).toMatchObject({ mime: 'video/webm', codec: 'vp9', fps: 30, hasAudio: false });
    expect([stored.width, stored.height]).toEqual([640, 360]);
    await expectThumbnail(stored.thumbnailKey, 512, 288);
  });

  it('should report the displayed size of a video rotated by its container (phone portrait)', async () => {
    const file = path.join(dir, 'landscape.mp4');
    const rotated = path.join(dir, 'portrait.mp4');
    await writeVideo(file, { container: 'mp4', seconds: 0.5, audio: false });
    await writeRotated(file, rotated);
    const stored = await store.ingestFile(rotated);
    expect([stored.width, stored.height]).toEqual([240, 320]);
    await expectThumbnail(stored.thumbnailKey, 240, 320);
  });

  it('should measure a WebM whose header has no duration (as browsers record them)', async () => {
    const file = path.join(dir, 'recorded.webm');
    await writeVideo(file, { container: 'webm', seconds: 1.2, width: 160, height: 120, audio: false });
    const bytes = await readFile(file);
    // Overwrite the Segment Info's Duration element (ID 0x4489, 8-byte float) with an EBML Void element.
    const at = bytes.indexOf(Buffer.from([0x44, 0x89, 0x88]));
    expect(at).toBeGreaterThan(0);
    bytes.set([0xec, 0x89, ...new Uint8Array(9)], at);
    const stored = await store.ingest(once(bytes), { originalName: 'recorded.webm' });
    expect(stored.durationMs).toBe(1200);
    expect(existsSync(store.absolutePath(stored.thumbnailKey))).toBe(true);
  });

  it.each([
    ['mkv', 'video/x-matroska'],
    ['mov', 'video/quicktime'],
  ] as const)('should accept %s', async (container, mime) => {
    const file = path.join(dir, `clip.${container}`);
    await writeVideo(file, { container, seconds: 0.2 });
    const stored = await store.ingestFile(file);
    expect(stored.mime).toBe(mime);
    expect(stored.storageKey.endsWith(`.${container}`)).toBe(true);
    // Shorter than 2 s: the poster comes from half the duration.
    expect(existsSync(store.absolutePath(stored.thumbnailKey))).toBe(true);
  });

  it('should reject an MP4 with no video stream', async () => {
    const file = path.join(dir, 'sound.mp4');
    await writeVideo(file, { container: 'mp4', video: false, seconds: 1 });
    const error = await mediaError(store.ingestFile(file));
    expect(error).toMatchObject({
      code: 'CORRUPT',
      status: 422,
      message: '"sound.mp4" has no video stream.',
    });
  });

  it('should reject a truncated MP4 as corrupt', async () => {
    const file = path.join(dir, 'whole.mp4');
    await writeVideo(file, { container: 'mp4', seconds: 1 });
    const bytes = await readFile(file);
    const error = await mediaError(
      store.ingest(once(bytes.subarray(0, bytes.byteLength / 2)), { originalName: 'cut.mp4' }),
    );
    expect(error.code).toBe('CORRUPT');
    expect(error.message).toMatch(/^"cut\.mp4" is a corrupt or truncated MP4 video: /);
    expect(error.message).not.toContain(store.root); // no server paths in user-facing messages
    expect(await tempFiles()).toEqual([]);
  });
});

describe('MediaStore rejections', () => {
  it('should reject text named .mp4 as unsupported, without reading past the first bytes', async () => {
    const text = new TextEncoder().encode('meeting notes\n'.repeat(2000)); // 28 000 bytes
    const { source, progress } = chunked(text, 5000);
    const error = await mediaError(store.ingest(source, { originalName: 'notes.mp4' }));
    expect(error).toMatchObject({ code: 'UNSUPPORTED_TYPE', status: 415 });
    expect(error.message).toBe(
      '"notes.mp4" is not an image or video Visage can use (detected: text or unknown data). ' +
        'Supported: PNG, JPEG, WebP, MP4, MOV, WebM, MKV.',
    );
    expect(progress).toEqual({ yielded: 1, closed: true });
    expect(await tempFiles()).toEqual([]);
  });

  it('should name a recognised but unsupported type', async () => {
    const gif = await sharp(await imageBytes('png', 10, 10))
      .gif()
      .toBuffer();
    const error = await mediaError(store.ingest(once(gif)));
    expect(error.message).toContain('(detected: GIF (image/gif))');
  });

  it('should stop reading an image as soon as it passes the limit', async () => {
    const small = new MediaStore(store.root, { maxImageBytes: 20_000, maxVideoBytes: 1_000_000 });
    const png = await noiseImageBytes(200, 200); // ~120 kB
    const { source, progress } = chunked(png, 1000);
    const error = await mediaError(small.ingest(source, { originalName: 'big.png' }));
    expect(error).toMatchObject({ code: 'TOO_LARGE', status: 413 });
    expect(error.message).toBe('"big.png" is more than 19.5 KB; images may be at most 19.5 KB.');
    expect(progress).toEqual({ yielded: 21, closed: true });
    expect(await tempFiles()).toEqual([]);
  });

  it('should refuse a declared size over the largest limit before reading anything', async () => {
    const { source, progress } = chunked(new Uint8Array(10), 10);
    const error = await mediaError(store.ingest(source, { declaredBytes: 3 * 1024 ** 3 }));
    expect(error).toMatchObject({
      code: 'TOO_LARGE',
      status: 413,
      message: 'File is 3 GB; videos may be at most 2 GB.',
    });
    expect(progress.yielded).toBe(0);
  });

  it("should refuse a declared size over its kind's limit once the type is known", async () => {
    const png = await imageBytes('png', 100, 100);
    const { source, progress } = chunked(png, 4100);
    const declaredBytes = 64_172_851;
    const error = await mediaError(store.ingest(source, { declaredBytes, originalName: 'huge.png' }));
    expect(error.message).toBe('"huge.png" is 61.2 MB; images may be at most 50 MB.');
    expect(progress).toEqual({ yielded: 1, closed: true });
  });

  it('should reject empty input', async () => {
    const error = await mediaError(
      store.ingest(chunked(new Uint8Array(0), 1).source, { originalName: 'x.png' }),
    );
    expect(error).toMatchObject({ code: 'EMPTY', status: 400, message: '"x.png" is empty.' });
    expect(await tempFiles()).toEqual([]);
  });
});

describe('MediaStore keys', () => {
  it.each([
    '../etc/passwd',
    '/etc/passwd',
    'aa/../../etc/passwd',
    'aa\\..\\..\\x',
    'C:\\x',
    'aa/b\0c',
    '',
    'aa//b',
  ])('should refuse the storage key %j', (key) => {
    expect(() => store.absolutePath(key)).toThrow(/Invalid storage key/);
  });

  it('should resolve a storage key inside the root', () => {
    expect(store.absolutePath('ab/cd/abcd.png')).toBe(path.join(store.root, 'ab', 'cd', 'abcd.png'));
  });

  it('should ignore only a missing file when removing', async () => {
    const png = await imageBytes('png', 8, 8, { r: 7, g: 7, b: 7 });
    const { storageKey } = await store.ingest(once(png));
    await store.remove(storageKey);
    expect(existsSync(store.absolutePath(storageKey))).toBe(false);
    await store.remove(storageKey); // already gone: fine
    await mkdir(path.join(store.root, 'zz'), { recursive: true });
    await expect(store.remove('zz')).rejects.toThrow(/EISDIR|EPERM/);
  });
});

describe('MediaStore.sweepTemp', () => {
  it('should remove only stale leftovers of interrupted uploads', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'visage-sweep-'));
    try {
      const store = new MediaStore(root);
      expect(await store.sweepTemp()).toBe(0); // no tmp/ yet
      await mkdir(path.join(root, 'tmp'));
      const stale = path.join(root, 'tmp', 'old.upload');
      const fresh = path.join(root, 'tmp', 'new.upload');
      await writeFile(stale, 'x');
      await writeFile(fresh, 'y');
      const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
      await utimes(stale, twoDaysAgo, twoDaysAgo);
      expect(await store.sweepTemp()).toBe(1);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(fresh)).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
