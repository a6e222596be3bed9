// The studio's face finder for face mapping (docs/models/face.md §8.5): the real BlazeFace on two
// copies of astronaut.png side by side and on a clip of it; thumbnails checked against sharp's own
// crop-and-resize of the same square.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelManager } from '@visage/inference';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTargetFaces, THUMBNAIL_MARGIN, THUMBNAIL_SIZE } from '../src/faceswap/target-faces.ts';
import type { InputAsset } from '../src/types.ts';
import { PluginInputError } from '../src/types.ts';
import {
  ASTRONAUT,
  fixtureModelManager,
  imageAsset,
  videoAsset,
  writeAstronautClip,
} from './support/faceswap.ts';

// The face on the 512² photo, measured by eye (blazeface.test.ts): cheek to cheek, hairline to chin.
const MEASURED = { x1: 182, y1: 83, x2: 270, y2: 183 };

let dir: string;
let models: ModelManager;
let pair: InputAsset;
let clip: InputAsset;

const asset = (a: Omit<InputAsset, 'id'>): InputAsset => ({ id: 'a1', ...a });
const acquire = (id: string) => models.acquire(id);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-target-faces-'));
  models = fixtureModelManager({});
  const pairFile = path.join(dir, 'pair.png');
  await sharp({ create: { width: 1024, height: 512, channels: 3, background: '#000' } })
    .composite([
      { input: ASTRONAUT, left: 0, top: 0 },
      { input: ASTRONAUT, left: 512, top: 0 },
    ])
    .png()
    .toFile(pairFile);
  pair = asset(imageAsset(pairFile, 'pair.png'));
  const clipFile = path.join(dir, 'clip.mp4');
  await writeAstronautClip(clipFile, { frames: 12, fps: 10, black: [3] });
  clip = asset(videoAsset(clipFile, 'clip.mp4'));
});

afterAll(async () => {
  await models.unloadAll();
  await rm(dir, { recursive: true, force: true });
});

/** Mean absolute difference per byte of two same-sized RGB images. */
async function meanDifference(a: Uint8Array, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([
    sharp(a).removeAlpha().raw().toBuffer(),
    sharp(b).removeAlpha().raw().toBuffer(),
  ]);
  expect(x.length).toBe(y.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs((x[i] ?? 0) - (y[i] ?? 0));
  return sum / x.length;
}

describe('findTargetFaces', () => {
  it('should find both faces of an image, left to right, with boxes over the faces', async () => {
    const found = await findTargetFaces(acquire, pair);
    expect(found).toMatchObject({ width: 1024, height: 512, frame: null, frameCount: null, fps: null });
    expect(found.faces).toHaveLength(2);
    found.faces.forEach((face, i) => {
      const shift = i * 512; // the right-hand copy
      const [x1, y1, x2, y2] = face.box;
      expect(face.box.every(Number.isInteger)).toBe(true);
      expect(face.score).toBeGreaterThan(0.5);
      // Within 25 px of the measured face on every side (BlazeFace reaches into the hair: 40 px on top).
      expect(Math.abs(x1 - (MEASURED.x1 + shift))).toBeLessThan(25);
      expect(Math.abs(x2 - (MEASURED.x2 + shift))).toBeLessThan(25);
      expect(Math.abs(y1 - MEASURED.y1)).toBeLessThan(40);
      expect(Math.abs(y2 - MEASURED.y2)).toBeLessThan(25);
    });
    // No lease left pinned.
    expect(models.stats().models.every((m) => m.pins === 0)).toBe(true);
  });

  it('should make each thumbnail a JPEG of the square around the box, with a margin', async () => {
    const found = await findTargetFaces(acquire, pair);
    for (const face of found.faces) {
      expect(Buffer.from(face.thumbnail.subarray(0, 3)).toString('hex')).toBe('ffd8ff');
      const meta = await sharp(face.thumbnail).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', THUMBNAIL_SIZE, THUMBNAIL_SIZE]);
      // The same square cut and scaled by sharp (libvips), rounded to whole pixels.
      const [x1, y1, x2, y2] = face.box;
      const side = Math.max(x2 - x1, y2 - y1) * (1 + 2 * THUMBNAIL_MARGIN);
      const left = Math.round((x1 + x2) / 2 - side / 2);
      const top = Math.round((y1 + y2) / 2 - side / 2);
      const reference = await sharp(pair.path)
        .extract({ left, top, width: Math.round(side), height: Math.round(side) })
        .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
        .png()
        .toBuffer();
      expect(await meanDifference(face.thumbnail, reference)).toBeLessThan(8);
    }
  });

  it('should find the face on a chosen frame of a video and say how many frames there are', async () => {
    const found = await findTargetFaces(acquire, clip, { frame: 5 });
    expect(found).toMatchObject({ width: 320, height: 320, frame: 5, frameCount: 12, fps: 10 });
    expect(found.faces).toHaveLength(1);
    // On a black frame there is none.
    expect((await findTargetFaces(acquire, clip, { frame: 3 })).faces).toEqual([]);
  });

  it('should refuse a frame past the end, a frame of an image, and a file that is neither', async () => {
    await expect(findTargetFaces(acquire, clip, { frame: 12 })).rejects.toThrow(
      new PluginInputError('Frame 12 is past the end of "clip.mp4" (12 frames: 0 to 11)'),
    );
    await expect(findTargetFaces(acquire, pair, { frame: 2 })).rejects.toThrow(
      'The target "pair.png" is an image: it has no frame 2',
    );
    await expect(findTargetFaces(acquire, clip, { frame: -1 })).rejects.toThrow(
      'The frame must be a whole number from 0 (got -1)',
    );
    const audio = asset({ ...imageAsset(pair.path, 'song.mp3', 'audio/mpeg') });
    await expect(findTargetFaces(acquire, audio)).rejects.toBeInstanceOf(PluginInputError);
    await expect(findTargetFaces(acquire, audio)).rejects.toThrow(
      'The target "song.mp3" must be an image or a video (it is audio/mpeg)',
    );
  });
});
