// The face swap plugin on images: the real BlazeFace on astronaut.png, fixture ArcFace / inswapper /
// GFPGAN / CodeFormer models with the real I/O, through a real ModelManager.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ARCFACE_112_TEMPLATE,
  ARCFACE_128_TEMPLATE,
  applyAffine,
  decodeImage,
  encodeImage,
  estimateSimilarity,
  invertAffine,
  type ModelManager,
  ModelStore,
  type Point,
  pasteRegion,
  type RgbImage,
} from '@visage/inference';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCatalog } from '../src/catalog.ts';
import { acquireFaceSwapModels } from '../src/faceswap/acquire.ts';
import { alignFace, EYES_ONLY, type FivePoints } from '../src/faceswap/align.ts';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import { mouthPointsInCrop } from '../src/faceswap/mouth-mask.ts';
import { FaceSwapProcessor } from '../src/faceswap/processor.ts';
import { alignForRecognition, l2Normalize, meanIdentity, rawEmbedding } from '../src/faceswap/recognize.ts';
import { settingsOf } from '../src/faceswap/run.ts';
import { loadEmap, sourceLatent } from '../src/faceswap/swap.ts';
import { PluginInputError } from '../src/types.ts';
import {
  ASTRONAUT,
  fixtureEmap,
  fixtureModelManager,
  imageAsset,
  recordingContext,
  writeFixtureModels,
} from './support/faceswap.ts';

const SOURCE = '0190c5a0-0000-7000-8000-00000000000a';
const SOURCE2 = '0190c5a0-0000-7000-8000-00000000000b';
const TARGET = '0190c5a0-0000-7000-8000-00000000000c';
const BLANK = '0190c5a0-0000-7000-8000-00000000000d';
const BROKEN = '0190c5a0-0000-7000-8000-00000000000e';

let dir: string;
let files: Record<string, string>;
let models: ModelManager;
let astronaut: RgbImage;
let inputs: Record<string, ReturnType<typeof imageAsset>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-faceswap-'));
  files = await writeFixtureModels(dir);
  models = fixtureModelManager(files);
  astronaut = await decodeImage(ASTRONAUT);
  const mirrored = path.join(dir, 'mirrored.png');
  await sharp(ASTRONAUT).flop().png().toFile(mirrored);
  const blank = path.join(dir, 'grey.png');
  await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080' } })
    .png()
    .toFile(blank);
  const broken = path.join(dir, 'broken.png');
  await writeFile(broken, Buffer.from('\x89PNG\r\n\x1a\n this is not really a PNG'));
  inputs = {
    [SOURCE]: imageAsset(ASTRONAUT, 'astronaut.png'),
    [SOURCE2]: imageAsset(mirrored, 'mirrored.png'),
    [TARGET]: imageAsset(ASTRONAUT, 'target.png'),
    [BLANK]: imageAsset(blank, 'grey.png'),
    [BROKEN]: imageAsset(broken, 'broken.png'),
  };
});
afterAll(async () => {
  await models.unloadAll();
  await rm(dir, { recursive: true, force: true });
});

const input = (overrides: Record<string, unknown> = {}) =>
  faceswapPlugin.input.parse({ source: [SOURCE], target: TARGET, ...overrides });

/** Where the 128² swap crop of BlazeFace's face on astronaut.png lands, computed from its eyes. */
async function expectedPasteRegion(processor: FaceSwapProcessor) {
  const [face] = await processor.findFaces(astronaut);
  if (!face) throw new Error('BlazeFace found no face');
  const toCrop = estimateSimilarity(face.points, ARCFACE_128_TEMPLATE, EYES_ONLY);
  const crop = { width: 128, height: 128, channels: 3 as const, data: new Uint8Array(128 * 128 * 3) };
  return pasteRegion(astronaut, crop, invertAffine(toCrop));
}

describe('face swap on an image', () => {
  it('should change pixels only inside the pasted face region and record models, faces and timings', async () => {
    const { ctx, outputs, metadata, acquired } = recordingContext(models, inputs);
    await faceswapPlugin.run(ctx, input());
    expect(outputs).toHaveLength(1);
    const result = await decodeImage(outputs[0]?.data as Uint8Array);
    expect([result.width, result.height]).toEqual([astronaut.width, astronaut.height]);
    // PNG in, PNG out.
    expect((await sharp(outputs[0]?.data).metadata()).format).toBe('png');

    const acquiredModels = await acquireFaceSwapModels(ctx.models.acquire, input());
    const region = await expectedPasteRegion(
      new FaceSwapProcessor(acquiredModels.models, settingsOf(input())),
    );
    acquiredModels.release();
    expect(region.width).toBeGreaterThan(60);
    let changedInside = 0;
    let changedOutside = 0;
    for (let y = 0; y < astronaut.height; y++) {
      for (let x = 0; x < astronaut.width; x++) {
        const i = (y * astronaut.width + x) * 3;
        const differs =
          result.data[i] !== astronaut.data[i] ||
          result.data[i + 1] !== astronaut.data[i + 1] ||
          result.data[i + 2] !== astronaut.data[i + 2];
        const inside =
          x >= region.x && x < region.x + region.width && y >= region.y && y < region.y + region.height;
        if (differs && inside) changedInside++;
        if (differs && !inside) changedOutside++;
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(0.3 * region.width * region.height);

    // "auto" fell back to the bundled BlazeFace (SCRFD and YOLOFace are not installed here).
    expect(acquired.slice(0, 3)).toEqual(['det_10g', 'yoloface_8n', 'blazeface']);
    expect(metadata.detector).toBe('blazeface');
    const used = metadata.modelsUsed as { id: string; role: string; provider: string }[];
    expect(used.map((m) => [m.id, m.role, m.provider])).toEqual([
      ['blazeface', 'detector', 'cpu'],
      ['arcface_w600k_r50', 'recognizer', 'cpu'],
      ['inswapper_128', 'swapper', 'cpu'],
    ]);
    expect(metadata.faces).toEqual({ found: 1, swapped: 1, estimatedLandmarks: 1 });
    const stageMs = metadata.stageMs as Record<string, number>;
    expect(stageMs.detect).toBeGreaterThan(0);
    expect(stageMs.swap).toBeGreaterThan(0);
    expect((metadata.sources as { landmarks: string }[])[0]?.landmarks).toBe('estimated');
  });

  it('should align the detected face with its eyes on the ArcFace template within 1 px', async () => {
    const acquiredModels = await acquireFaceSwapModels((id) => models.acquire(id), input());
    try {
      const processor = new FaceSwapProcessor(acquiredModels.models, settingsOf(input()));
      const [face] = await processor.findFaces(astronaut);
      if (!face) throw new Error('no face');
      const aligned = alignFace(astronaut, face.points, ARCFACE_112_TEMPLATE, 112, {
        weights: face.alignWeights,
      });
      for (const eye of [0, 1]) {
        const [x, y] = applyAffine(aligned.matrix, face.points[eye] as Point);
        const [tx, ty] = ARCFACE_112_TEMPLATE[eye] as Point;
        expect(Math.hypot(x - tx, y - ty)).toBeLessThan(1);
      }
      // And those are the eyes (measured by eye in blazeface.test.ts; BlazeFace is within 10 px).
      expect(Math.hypot(face.points[0][0] - 203, face.points[0][1] - 102)).toBeLessThan(10);
      expect(Math.hypot(face.points[1][0] - 247, face.points[1][1] - 103)).toBeLessThan(10);
    } finally {
      acquiredModels.release();
    }
  });

  it("should read the fixture's emap from the inswapper file", async () => {
    const emap = await loadEmap(files.inswapper_128 as string);
    expect(emap).toEqual(fixtureEmap());
  });

  // FaceFusion's average_face_identity feeds inswapper the mean of the raw embeddings (then
  // prepare_source_embedding divides by its norm): a source whose embedding is longer counts more.
  it("should swap with FaceFusion's mean identity of two sources: the normalised mean of the raw embeddings", async () => {
    const acquiredModels = await acquireFaceSwapModels((id) => models.acquire(id), input());
    try {
      // A dimmed mirror image: the fixture's embedding follows its input's mean, so its length differs.
      const mirrored = await decodeImage(inputs[SOURCE2]?.path as string);
      const dim = { ...mirrored, data: mirrored.data.map((v) => v >> 1) };
      const both = new FaceSwapProcessor(acquiredModels.models, settingsOf(input()));
      const [a, b] = await both.setSources([
        { name: 'a', image: astronaut },
        { name: 'b', image: dim },
      ]);
      const raw = async (image: RgbImage, face: typeof a) => {
        const { crop } = alignForRecognition(image, face?.points as FivePoints, face?.alignWeights);
        return rawEmbedding(acquiredModels.models.recognizer, crop);
      };
      const [ra, rb] = [await raw(astronaut, a), await raw(dim, b)];
      const norm = (v: Float32Array) => Math.hypot(...v);
      expect(norm(ra) / norm(rb)).not.toBeCloseTo(1, 1);
      const sum = ra.map((v, i) => v + (rb[i] ?? 0));
      const expected = sourceLatent(l2Normalize(sum), fixtureEmap());
      const fixed = (v: Float32Array) => Array.from(v).map((x) => x.toFixed(5));
      expect(fixed(both.latent as Float32Array)).toEqual(fixed(expected));
      // Averaging the normalised embeddings instead gives another latent.
      const normedMean = sourceLatent(meanIdentity([l2Normalize(ra), l2Normalize(rb)]), fixtureEmap());
      expect(fixed(normedMean)).not.toEqual(fixed(expected));
      // The stored per-face embeddings stay normalised (reference selection compares those).
      expect(norm(a?.embedding as Float32Array)).toBeCloseTo(1, 5);
    } finally {
      acquiredModels.release();
    }
  });

  it('should save the paste mask it used: set wherever the picture changed, full over the face', async () => {
    const { ctx, outputs, metadata } = recordingContext(models, inputs);
    await faceswapPlugin.run(ctx, input({ saveMask: true }));
    expect(outputs.map((o) => o.slot)).toEqual(['result', 'mask']);
    const result = await decodeImage(outputs[0]?.data as Uint8Array);
    const mask = await decodeImage(outputs[1]?.data as Uint8Array);
    expect((await sharp(outputs[1]?.data).metadata()).format).toBe('png');
    expect([mask.width, mask.height]).toEqual([astronaut.width, astronaut.height]);
    let changed = 0;
    let weighted = 0;
    for (let p = 0; p < astronaut.width * astronaut.height; p++) {
      const differs = [0, 1, 2].some((c) => result.data[p * 3 + c] !== astronaut.data[p * 3 + c]);
      const weight = mask.data[p * 3] as number;
      if (differs) {
        changed++;
        expect(weight, `pixel ${p} changed under a zero mask`).toBeGreaterThan(0);
      }
      if (weight === 255) weighted++;
    }
    expect(changed).toBeGreaterThan(2000);
    expect(weighted).toBeGreaterThan(1000);
    expect(metadata.swapper).toEqual({
      model: 'inswapper_128',
      chosen: 'auto',
      size: 128,
      pixelBoost: 1,
      cropSize: 128,
      licence: 'non-commercial',
      commercialUse: false,
    });
  });

  it("should leave the target's mouth bit-identical with the mouth mask, and swap the rest", async () => {
    const { ctx, outputs } = recordingContext(models, inputs);
    await faceswapPlugin.run(ctx, input({ mouthMask: true }));
    const result = await decodeImage(outputs[0]?.data as Uint8Array);
    const acquired = await acquireFaceSwapModels(ctx.models.acquire, input());
    const [face] = await new FaceSwapProcessor(acquired.models, settingsOf(input())).findFaces(astronaut);
    acquired.release();
    if (!face) throw new Error('no face');
    // The mouth outline in frame pixels: the five points' mouth corners (BlazeFace estimates them),
    // taken through the 128² crop and back, as the job's mask is built.
    const toCrop = estimateSimilarity(face.points, ARCFACE_128_TEMPLATE, face.alignWeights);
    const outline = mouthPointsInCrop(face, toCrop).map((p) => applyAffine(invertAffine(toCrop), p));
    const inside = (x: number, y: number) => {
      // Convex outline: inside when on the same side of every edge.
      let sign = 0;
      for (let i = 0; i < outline.length; i++) {
        const [ax, ay] = outline[i] as Point;
        const [bx, by] = outline[(i + 1) % outline.length] as Point;
        const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
        if (cross !== 0) {
          if (sign !== 0 && Math.sign(cross) !== sign) return false;
          sign = Math.sign(cross);
        }
      }
      return true;
    };
    let mouthPixels = 0;
    let changedElsewhere = 0;
    for (let y = 0; y < astronaut.height; y++) {
      for (let x = 0; x < astronaut.width; x++) {
        const i = (y * astronaut.width + x) * 3;
        const differs = [0, 1, 2].some((c) => result.data[i + c] !== astronaut.data[i + c]);
        if (inside(x + 0.5, y + 0.5)) {
          mouthPixels++;
          expect(differs, `mouth pixel (${x}, ${y}) changed`).toBe(false);
        } else if (differs) changedElsewhere++;
      }
    }
    expect(mouthPixels).toBeGreaterThan(150);
    expect(changedElsewhere).toBeGreaterThan(2000);
  });

  it('should restore the swapped face with GFPGAN and record it', async () => {
    const { ctx, outputs, metadata } = recordingContext(models, inputs);
    await faceswapPlugin.run(
      ctx,
      input({ restore: 'gfpgan_1.4', restoreStrength: 100, imageFormat: 'webp' }),
    );
    expect((await sharp(outputs[0]?.data).metadata()).format).toBe('webp');
    const used = metadata.modelsUsed as { id: string; role: string }[];
    expect(used.at(-1)).toMatchObject({ id: 'gfpgan_1.4', role: 'restorer' });
    expect((metadata.stageMs as Record<string, number>).restore).toBeGreaterThan(0);
  });
});

describe('face swap errors', () => {
  it('should name the source image that has no face', async () => {
    const { ctx, outputs } = recordingContext(models, inputs);
    const run = faceswapPlugin.run(ctx, input({ source: [SOURCE, BLANK] }));
    await expect(run).rejects.toThrow(PluginInputError);
    await expect(run).rejects.toThrow('No face found in the source image "grey.png"');
    expect(outputs).toHaveLength(0);
  });

  it('should fail an image target without a face, saying so', async () => {
    const { ctx, outputs } = recordingContext(models, inputs);
    await expect(faceswapPlugin.run(ctx, input({ target: BLANK }))).rejects.toThrow(
      'No face found in the target image "grey.png"',
    );
    expect(outputs).toHaveLength(0);
  });

  it('should say when faces exist but none matches the selection', async () => {
    const { ctx } = recordingContext(models, inputs);
    await expect(faceswapPlugin.run(ctx, input({ faces: 'index', faceIndex: 3 }))).rejects.toThrow(
      'None of the 1 faces in the target image "target.png" matches the face selection (index)',
    );
  });

  it('should name a corrupt input file', async () => {
    const { ctx } = recordingContext(models, inputs);
    await expect(faceswapPlugin.run(ctx, input({ target: BROKEN }))).rejects.toThrow(
      /The target image "broken\.png" is not a readable image/,
    );
    await expect(faceswapPlugin.run(ctx, input({ source: [BROKEN] }))).rejects.toThrow(
      /The source image "broken\.png" is not a readable image/,
    );
  });

  it('should name every missing model with the exact pull command', async () => {
    const store = new ModelStore(path.join(dir, 'no-models'), modelCatalog());
    const required = faceswapPlugin.models(input({ swapper: 'inswapper_128', restore: 'codeformer' }));
    expect(required).toEqual(['arcface_w600k_r50', 'inswapper_128', 'codeformer']);
    // "auto" requires no swapper (it takes the best installed one and names what to pull when none
    // is); ghost needs its embedding converter.
    expect(faceswapPlugin.models(input({ restore: 'codeformer' }))).toEqual([
      'arcface_w600k_r50',
      'codeformer',
    ]);
    expect(faceswapPlugin.models(input({ swapper: 'ghost_2_256' }))).toEqual([
      'arcface_w600k_r50',
      'ghost_2_256',
      'crossface_ghost',
    ]);
    expect(store.missingModels(required)?.message).toContain(
      'Get them with: pnpm visage models pull arcface_w600k_r50 inswapper_128 codeformer',
    );
    // An explicit detector is required too; the bundled BlazeFace never is missing.
    expect(
      faceswapPlugin.models(input({ swapper: 'inswapper_128', detector: 'scrfd', landmarker: '2dfan4' })),
    ).toEqual(['arcface_w600k_r50', 'inswapper_128', 'det_10g', '2dfan4']);
    expect(
      store.missingModels(faceswapPlugin.models(input({ swapper: 'inswapper_128', detector: 'blazeface' })))
        ?.message,
    ).toContain('pnpm visage models pull arcface_w600k_r50 inswapper_128');
  });

  it('should refuse a video as a source photo', async () => {
    const video = { ...imageAsset(ASTRONAUT, 'clip.mp4'), mime: 'video/mp4' };
    const { ctx } = recordingContext(models, { ...inputs, [SOURCE]: video });
    await expect(faceswapPlugin.run(ctx, input())).rejects.toThrow(
      'The source image "clip.mp4" must be an image (it is video/mp4)',
    );
  });

  it('should keep a JPEG target as JPEG', async () => {
    const jpeg = path.join(dir, 'target.jpg');
    await writeFile(jpeg, await encodeImage(astronaut, 'jpeg', 90));
    const { ctx, outputs } = recordingContext(models, {
      ...inputs,
      [TARGET]: imageAsset(jpeg, 'target.jpg', 'image/jpeg'),
    });
    await faceswapPlugin.run(ctx, input());
    expect((await sharp(outputs[0]?.data).metadata()).format).toBe('jpeg');
  });
});
