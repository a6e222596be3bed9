// Face mapping (docs/models/face.md §8.5): two copies of astronaut.png side by side, two source
// photos whose fixture embeddings differ; each mapped face gets its own identity, and the map is
// recorded on the job. The real BlazeFace finds the faces; fixture ArcFace and inswapper swap them.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeImage, type ModelManager, type RgbImage } from '@visage/inference';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignMappedFaces, type MappedPerson } from '../src/faceswap/face-map.ts';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import type { AnalysedFace } from '../src/faceswap/select.ts';
import { PluginInputError } from '../src/types.ts';
import {
  ASTRONAUT,
  fixtureModelManager,
  imageAsset,
  recordingContext,
  writeFixtureModels,
} from './support/faceswap.ts';

const SOURCE_A = '0190c5a0-0000-7000-8000-0000000000a1';
const SOURCE_B = '0190c5a0-0000-7000-8000-0000000000b2';
const TARGET = '0190c5a0-0000-7000-8000-0000000000c3';
/** The astronaut's face box on the 512² photo as BlazeFace finds it, rounded as the studio sends it. */
const LEFT_BOX = [177, 84, 272, 180] as const;
const RIGHT_BOX = [177 + 512, 84, 272 + 512, 180] as const;

let dir: string;
let models: ModelManager;
let inputs: Record<string, ReturnType<typeof imageAsset>>;
let target: RgbImage;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-facemap-'));
  models = fixtureModelManager(await writeFixtureModels(dir));
  const pair = path.join(dir, 'pair.png');
  await sharp({ create: { width: 1024, height: 512, channels: 3, background: '#000' } })
    .composite([
      { input: ASTRONAUT, left: 0, top: 0 },
      { input: ASTRONAUT, left: 512, top: 0 },
    ])
    .png()
    .toFile(pair);
  target = await decodeImage(pair);
  // A second person for the fixture recogniser: the photo much darker and tinted (its embedding
  // follows the crop's mean, so it differs from the original's).
  const other = path.join(dir, 'other.png');
  await sharp(ASTRONAUT).modulate({ brightness: 0.35, hue: 120 }).png().toFile(other);
  inputs = {
    [SOURCE_A]: imageAsset(ASTRONAUT, 'a.png'),
    [SOURCE_B]: imageAsset(other, 'b.png'),
    [TARGET]: imageAsset(pair, 'pair.png'),
  };
});
afterAll(async () => {
  await models.unloadAll();
  await rm(dir, { recursive: true, force: true });
});

async function run(overrides: Record<string, unknown>) {
  const recording = recordingContext(models, inputs);
  await faceswapPlugin.run(
    recording.ctx,
    faceswapPlugin.input.parse({ source: [SOURCE_A], target: TARGET, ...overrides }),
  );
  const data = recording.outputs[0]?.data;
  if (!data) throw new Error('no output');
  return { image: await decodeImage(data), metadata: recording.metadata };
}

/** Bytes of the left (0) or right (1) half of a 1024×512 RGB image. */
function half(image: RgbImage, side: 0 | 1): Uint8Array {
  const out = new Uint8Array(512 * 512 * 3);
  for (let y = 0; y < 512; y++) {
    out.set(image.data.subarray((y * 1024 + side * 512) * 3, (y * 1024 + side * 512 + 512) * 3), y * 512 * 3);
  }
  return out;
}

const differing = (a: Uint8Array, b: Uint8Array) => a.reduce((n, v, i) => n + (v !== b[i] ? 1 : 0), 0);

describe('face mapping', () => {
  it('should swap each mapped face with its own identity and record the map', async () => {
    const mapped = await run({
      source: [SOURCE_A, SOURCE_B],
      faces: 'map',
      faceMap: [
        { box: [...RIGHT_BOX], source: SOURCE_B },
        { box: [...LEFT_BOX], source: SOURCE_A },
      ],
    });
    // The same target with one identity on every face, for each source.
    const allA = await run({ source: [SOURCE_A], faces: 'all' });
    const allB = await run({ source: [SOURCE_B], faces: 'all' });

    // The two identities give different faces, so the comparison below can tell them apart…
    expect(differing(half(allA.image, 0), half(allB.image, 0))).toBeGreaterThan(1000);
    // …and each half of the mapped result is exactly its own identity's swap.
    expect(differing(half(mapped.image, 0), half(allA.image, 0))).toBe(0);
    expect(differing(half(mapped.image, 1), half(allB.image, 1))).toBe(0);
    expect(differing(half(mapped.image, 0), half(target, 0))).toBeGreaterThan(1000);

    expect(mapped.metadata.faceMap).toEqual([
      expect.objectContaining({ box: [...RIGHT_BOX], source: SOURCE_B, sourceName: 'b.png', matched: true }),
      expect.objectContaining({ box: [...LEFT_BOX], source: SOURCE_A, sourceName: 'a.png', matched: true }),
    ]);
    const faces = mapped.metadata.faces as {
      found: number;
      swapped: number;
      byIdentity: Record<string, number>;
    };
    expect(faces).toMatchObject({ found: 2, swapped: 2, byIdentity: { [SOURCE_A]: 1, [SOURCE_B]: 1 } });
  });

  it('should leave an unmapped face as it is', async () => {
    const mapped = await run({
      source: [SOURCE_B],
      faces: 'map',
      faceMap: [{ box: [...RIGHT_BOX], source: SOURCE_B }],
    });
    expect(differing(half(mapped.image, 0), half(target, 0))).toBe(0);
    expect(differing(half(mapped.image, 1), half(target, 1))).toBeGreaterThan(1000);
  });

  it('should name a mapped face that is not on the target', async () => {
    const error = await run({
      faces: 'map',
      faceMap: [{ box: [600, 300, 700, 400], source: SOURCE_A }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginInputError);
    expect((error as Error).message).toMatch(
      /Mapped face 1 \(box 600, 300, 700, 400\) was not found on the target image "pair.png": 2 face\(s\) detected/,
    );
  });

  it('should refuse a map naming a photo that is not a source of the job', () => {
    const parsed = faceswapPlugin.input.safeParse({
      source: [SOURCE_A],
      target: TARGET,
      faces: 'map',
      faceMap: [{ box: [...LEFT_BOX], source: SOURCE_B }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['faceMap', 0, 'source']);
  });
});

describe(assignMappedFaces.name, () => {
  const unit = (i: number) => {
    const v = new Float32Array(512);
    v[i] = 1;
    return v;
  };
  const face = (x: number, embedding: Float32Array): AnalysedFace => ({
    box: [x, 0, x + 100, 100],
    score: 0.9,
    points: [
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ],
    landmarks: 'detector',
    embedding,
  });
  const person = (source: string, reference: Float32Array, x: number): MappedPerson => ({
    entry: { box: [x, 0, x + 100, 100], source },
    found: [x, 0, x + 100, 100],
    reference,
    lastBox: [x, 0, x + 100, 100],
  });

  it('should follow each person by likeness when they swap places', () => {
    const people = [person('a', unit(0), 0), person('b', unit(1), 300)];
    // b is now on the left and a on the right: likeness decides, not position.
    const assigned = assignMappedFaces(people, [face(0, unit(1)), face(300, unit(0))], 0.3);
    expect(assigned.map((f) => [f.box[0], f.identity])).toEqual([
      [0, 'b'],
      [300, 'a'],
    ]);
    expect(people.map((p) => p.lastBox[0])).toEqual([300, 0]);
  });

  it('should break a tie between look-alikes by where each was last seen, and skip strangers', () => {
    const people = [person('a', unit(0), 0), person('b', unit(0), 300)];
    const stranger = face(600, unit(2)); // distance 0.5: not a mapped person
    const assigned = assignMappedFaces(people, [face(310, unit(0)), face(10, unit(0)), stranger], 0.3);
    expect(assigned.map((f) => [f.box[0], f.identity])).toEqual([
      [10, 'a'],
      [310, 'b'],
    ]);
  });
});
