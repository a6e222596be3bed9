// Every restorer of the `restore` option (docs/models/face.md §6.3): its catalog entry against
// FaceFusion's face_enhancer/core.py and the published checksums (values copied from those sources,
// not from the entries), its fixture's I/O, and restoreFace at its size and template.
import {
  createSession,
  decodeImage,
  FFHQ_512_TEMPLATE,
  type ModelSession,
  type RgbImage,
} from '@visage/inference';
import { findModel } from '@visage/inference/models';
import { ASTRONAUT, buildFixtureModel, ELEMENT_TYPES, onnx } from '@visage/inference/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCatalog } from '../src/catalog.ts';
import type { FivePoints } from '../src/faceswap/align.ts';
import { RESTORER_MODELS, type RestoreModel } from '../src/faceswap/model-ids.ts';
import { restoreFace, restorerPreprocess } from '../src/faceswap/restore.ts';
import { RESTORER_MODEL_SET } from '../src/faceswap/restorer-models.ts';
import { RESTORER_FIXTURE_SPECS } from '../src/testing/index.ts';
import {
  changedOutside,
  copy,
  differing,
  facePoints,
  meanDiffOnFace,
  quiet,
  recording,
} from './support/restore.ts';

/** FaceFusion 3.x face_enhancer/core.py `create_static_model_set`: size, template, licence metadata. */
const FACEFUSION: Record<RestoreModel, { size: number; template: string; licence: string }> = {
  'gfpgan_1.4': { size: 512, template: 'ffhq_512', licence: 'Apache-2.0' },
  'gfpgan_1.3': { size: 512, template: 'ffhq_512', licence: 'Apache-2.0' },
  'gfpgan_1.2': { size: 512, template: 'ffhq_512', licence: 'Apache-2.0' },
  codeformer: { size: 512, template: 'ffhq_512', licence: 'S-Lab-1.0' },
  restoreformer_plus_plus: { size: 512, template: 'ffhq_512', licence: 'Apache-2.0' },
  gpen_bfr_256: { size: 256, template: 'arcface_128', licence: 'Non-Commercial' },
  gpen_bfr_512: { size: 512, template: 'ffhq_512', licence: 'Non-Commercial' },
  gpen_bfr_1024: { size: 1024, template: 'ffhq_512', licence: 'Non-Commercial' },
  gpen_bfr_2048: { size: 2048, template: 'ffhq_512', licence: 'Non-Commercial' },
};

const FF = (file: string) => [
  `https://github.com/facefusion/facefusion-assets/releases/download/models-3.0.0/${file}`,
  `https://huggingface.co/facefusion/models-3.0.0/resolve/main/${file}`,
];
const VM = (file: string) => [
  `https://github.com/visomaster/visomaster-assets/releases/download/v1.0.0/${file}`,
];

/**
 * The files: VisoMaster's where its models_data.py publishes a sha256 (docs/models/face.md §9.2),
 * FaceFusion's (no sha256) otherwise.
 */
const FILES: Record<
  RestoreModel,
  { precision: string; file: string; urls: string[]; sha256: string | null }[]
> = {
  'gfpgan_1.4': [
    {
      precision: 'fp32',
      file: 'GFPGANv1.4.onnx',
      urls: VM('GFPGANv1.4.onnx'),
      sha256: '6548e54cbcf248af385248f0c1193b359c37a0f98b836282b09cf48af4fd2b73',
    },
  ],
  'gfpgan_1.3': [{ precision: 'fp32', file: 'gfpgan_1.3.onnx', urls: FF('gfpgan_1.3.onnx'), sha256: null }],
  'gfpgan_1.2': [{ precision: 'fp32', file: 'gfpgan_1.2.onnx', urls: FF('gfpgan_1.2.onnx'), sha256: null }],
  codeformer: [
    {
      precision: 'fp32',
      file: 'codeformer.onnx',
      urls: FF('codeformer.onnx'),
      sha256: '21710e7ab61c82683576c428e9c1b6fe1ed419586b7b39e394c3449c294b550f',
    },
  ],
  restoreformer_plus_plus: [
    {
      precision: 'fp32',
      file: 'restoreformer_plus_plus.onnx',
      urls: FF('restoreformer_plus_plus.onnx'),
      sha256: null,
    },
    {
      precision: 'fp16',
      file: 'RestoreFormerPlusPlus.fp16.onnx',
      urls: VM('RestoreFormerPlusPlus.fp16.onnx'),
      sha256: 'e5df99ed4f501be2009ed8e708f407dd26ac400c55a43a01d8c8c157bc475b3f',
    },
  ],
  gpen_bfr_256: [
    {
      precision: 'fp32',
      file: 'GPEN-BFR-256.onnx',
      urls: VM('GPEN-BFR-256.onnx'),
      sha256: 'aa5bd3ab238640a378c59e4a560f7a7150627944cf2129e6311ae4720e833271',
    },
  ],
  gpen_bfr_512: [
    {
      precision: 'fp32',
      file: 'GPEN-BFR-512.onnx',
      urls: VM('GPEN-BFR-512.onnx'),
      sha256: '0960f836488735444d508b588e44fb5dfd19c68fde9163ad7878aa24d1d5115e',
    },
  ],
  gpen_bfr_1024: [
    {
      precision: 'fp32',
      file: 'GPEN-BFR-1024.onnx',
      urls: VM('GPEN-BFR-1024.onnx'),
      sha256: 'cec8892093d7b99828acde97bf231fb0964d3fb11b43f3b0951e36ef1e192a3e',
    },
  ],
  gpen_bfr_2048: [
    {
      precision: 'fp32',
      file: 'GPEN-BFR-2048.onnx',
      urls: VM('GPEN-BFR-2048.onnx'),
      sha256: 'd0229ff43f979c360bd19daa9cd0ce893722d59f41a41822b9223ebbe4f89b3e',
    },
  ],
};

// FaceFusion's face_helper.py WARP_TEMPLATE_SET, normalised, times the crop size (by hand):
// arcface_128 × 256 (gpen_bfr_256) and ffhq_512 × 1024 (gpen_bfr_1024).
const ARCFACE_128_AT_256 = [
  [92.5892, 103.3926], // 0.36167656, 0.40387734
  [163.0636, 103.0028], // 0.63696719, 0.40235469
  [128.0504, 143.4732], // 0.50019687, 0.56044219
  [99.0986, 184.731], // 0.38710391, 0.72160547
  [157.4598, 184.4082], // 0.61507734, 0.72034453
] as const;
const FFHQ_512_AT_1024 = [
  [385.9628, 479.8942], // 0.37691676, 0.46864664
  [637.8055, 480.3872], // 0.62285697, 0.46912813
  [513.2683, 628.0387], // 0.50123859, 0.61331904
  [402.5223, 742.8209], // 0.39308822, 0.72541100
  [626.1781, 742.3024], // 0.61150205, 0.72490465
] as const;

/** A restorer that returns the photo negative: output = −input, so a restored pixel is 255 − x. */
function negativeRestorer(size: number, output = 'output'): Uint8Array {
  const image = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: ELEMENT_TYPES.float32,
          shape: { dim: [1, 3, size, size].map((d) => ({ dimValue: d })) },
        },
      },
    });
  const graph = onnx.GraphProto.create({
    name: 'negative',
    node: [onnx.NodeProto.create({ opType: 'Neg', input: ['input'], output: [output] })],
    input: [image('input')],
    output: [image(output)],
  });
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph }),
  ).finish();
}

/** Centroid of channel 0 of the fed [1,3,N,N] tensor (in 0..255) within `radius` of `at`. */
function centroid(
  fed: Float32Array,
  size: number,
  at: readonly [number, number],
  radius: number,
): [number, number] {
  let sx = 0;
  let sy = 0;
  let sw = 0;
  for (let y = Math.round(at[1]) - radius; y <= Math.round(at[1]) + radius; y++) {
    for (let x = Math.round(at[0]) - radius; x <= Math.round(at[0]) + radius; x++) {
      const w = (((fed[y * size + x] ?? -1) + 1) / 2) * 255;
      sx += w * x;
      sy += w * y;
      sw += w;
    }
  }
  return [sx / sw, sy / sw];
}

/**
 * A black 400² frame with a bright Gaussian dot (σ 1.5 px, red) at each of `template` (crop pixels)
 * moved into the frame by a known similarity: turned 10°, × `scale`, shifted by (70, 60).
 */
function dotFrame(
  template: readonly (readonly [number, number])[],
  scale: number,
): {
  frame: RgbImage;
  points: FivePoints;
} {
  const t = (10 * Math.PI) / 180;
  const points = template.map(
    ([x, y]) =>
      [
        scale * (Math.cos(t) * x - Math.sin(t) * y) + 70,
        scale * (Math.sin(t) * x + Math.cos(t) * y) + 60,
      ] as const,
  );
  const frame: RgbImage = { width: 400, height: 400, channels: 3, data: new Uint8Array(400 * 400 * 3) };
  for (const [px, py] of points) {
    for (let y = Math.floor(py) - 6; y <= Math.ceil(py) + 6; y++) {
      for (let x = Math.floor(px) - 6; x <= Math.ceil(px) + 6; x++) {
        const v = 255 * Math.exp(-((x - px) ** 2 + (y - py) ** 2) / (2 * 1.5 * 1.5));
        const i = (y * 400 + x) * 3;
        frame.data[i] = Math.max(frame.data[i] ?? 0, Math.round(v));
      }
    }
  }
  return { frame, points: points as unknown as FivePoints };
}

describe('the restorer catalog entries', () => {
  const catalog = modelCatalog();

  it('should declare every restorer id once, in the order of the `restore` option', () => {
    expect(Object.values(RESTORER_MODEL_SET).map((e) => e.id)).toEqual([...RESTORER_MODELS]);
    for (const id of RESTORER_MODELS) expect(findModel(id, catalog).plugin).toBe('faceswap');
  });

  it.each(RESTORER_MODELS)(
    'should give %s the size and template FaceFusion declares, RGB in [−1, 1]',
    (id) => {
      const { preprocess } = findModel(id, catalog);
      expect(preprocess).toEqual({
        size: FACEFUSION[id].size,
        layout: 'nchw',
        normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
        template: FACEFUSION[id].template,
      });
      expect(restorerPreprocess(id)).toEqual(preprocess);
    },
  );

  it.each(RESTORER_MODELS)("should record %s's licence as FaceFusion's metadata names it", (id) => {
    const { licence } = findModel(id, catalog);
    const expected = {
      'Apache-2.0': {
        name: 'Apache-2.0',
        commercialUse: true,
        url: 'https://www.apache.org/licenses/LICENSE-2.0',
      },
      'S-Lab-1.0': {
        name: 'S-Lab License 1.0',
        commercialUse: false,
        url: 'https://github.com/sczhou/CodeFormer/blob/master/LICENSE',
      },
      // GPEN's README: "For academic and non-commercial use only."
      'Non-Commercial': {
        name: 'GPEN (academic and non-commercial use only)',
        commercialUse: false,
        url: 'https://github.com/yangxy/GPEN#license',
      },
    }[FACEFUSION[id].licence];
    expect(licence).toEqual(expected);
  });

  it.each(RESTORER_MODELS)('should download %s from a source whose checksum it carries, or hash it', (id) => {
    const entry = findModel(id, catalog);
    expect(
      entry.variants.map(({ precision, file, urls, sha256 }) => ({ precision, file, urls, sha256 })),
    ).toEqual(FILES[id]);
    // Sizes: published for GPEN-BFR-512 only (284 250 449 B, the same sha256 as Deep-Live-Cam's copy).
    expect(entry.variants.map((v) => v.bytes)).toEqual(
      FILES[id].map(() => (id === 'gpen_bfr_512' ? 284_250_449 : null)),
    );
  });
});

describe('restoreFace with every restorer', () => {
  let astronaut: RgbImage;
  const sessions: ModelSession[] = [];
  const open = async (bytes: Uint8Array, id: string) => {
    const session = await createSession(bytes, { id, providers: ['cpu'], log: quiet });
    sessions.push(session);
    return session;
  };
  const points = facePoints();
  const onTemplate = FFHQ_512_TEMPLATE.map(([x, y]) => [x, y] as const) as unknown as FivePoints;

  beforeAll(async () => {
    astronaut = copy(await decodeImage(ASTRONAUT));
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.release()));
  });

  it.each(RESTORER_MODELS)(
    "should give %s's fixture the real model's tensor names, shapes and types",
    (id) => {
      const n = FACEFUSION[id].size;
      const spec = RESTORER_FIXTURE_SPECS[id];
      expect(spec.inputs).toEqual([
        { name: 'input', dims: [1, 3, n, n] },
        ...(id === 'codeformer' ? [{ name: 'weight', dims: [1], type: 'float64' }] : []),
      ]);
      expect(spec.outputs.map(({ name, dims }) => ({ name, dims }))).toEqual([
        { name: 'output', dims: [1, 3, n, n] },
      ]);
    },
  );

  // Measured mean |Δ| on the face: 1.88 levels at 256², 1.12 at 512² (as restore.test.ts), 0.52 at
  // 1024², 0.21 at 2048²: bilinear into the crop and back, which loses less the more the crop
  // upsamples the face (1.6×, 2.9×, 5.7×, 11.4×).
  const ROUND_TRIP_MEAN: Record<number, number> = { 256: 2.5, 512: 1.5, 1024: 0.8, 2048: 0.4 };
  it.each(RESTORER_MODELS.filter((id) => id !== 'codeformer'))(
    'should round-trip the face through the identity %s fixture',
    async (id) => {
      const { session, feeds } = recording(await open(buildFixtureModel(RESTORER_FIXTURE_SPECS[id]), id));
      const frame = copy(astronaut);
      const rect = await restoreFace(session, frame, points, { strength: 1 });
      const n = FACEFUSION[id].size;
      expect(feeds[0]?.input?.dims).toEqual([1, 3, n, n]);
      expect(changedOutside(frame, astronaut, rect)).toBe(0);
      const { mean } = meanDiffOnFace(frame, astronaut, points);
      expect(mean).toBeGreaterThan(0);
      expect(mean).toBeLessThan(ROUND_TRIP_MEAN[n] ?? 0);
    },
  );

  it("should run CodeFormer's fixture (weight float64) and change only the face's rectangle", async () => {
    const { session, feeds } = recording(
      await open(buildFixtureModel(RESTORER_FIXTURE_SPECS.codeformer), 'codeformer'),
    );
    const frame = copy(astronaut);
    const rect = await restoreFace(session, frame, points, { strength: 1, fidelity: 0.3 });
    expect(feeds[0]?.weight?.type).toBe('float64');
    expect(feeds[0]?.weight?.data[0]).toBe(0.3);
    expect(changedOutside(frame, astronaut, rect)).toBe(0);
    expect(meanDiffOnFace(frame, astronaut, points).mean).toBeGreaterThan(20);
  });

  // A 512² crop covers 512·44/125.9 ≈ 179 px of the frame (restore.test.ts); the other sizes cover the
  // same area (ffhq_512 scaled), but gpen_bfr_256's arcface_128 crop: 256·44/70.47 ≈ 160 px.
  it.each(RESTORER_MODELS.filter((id) => id !== 'codeformer'))(
    'should paste the negative %s restorer over the face only',
    async (id) => {
      const session = await open(negativeRestorer(FACEFUSION[id].size), id);
      const frame = copy(astronaut);
      const rect = await restoreFace(session, frame, points, { strength: 1 });
      const side = id === 'gpen_bfr_256' ? 160 : 179;
      expect(rect.width).toBeGreaterThan(side - 5);
      expect(rect.width).toBeLessThan(side + 16);
      expect(rect.height).toBeGreaterThan(side - 5);
      expect(rect.height).toBeLessThan(side + 16);
      for (const [x, y] of points) {
        expect(x).toBeGreaterThan(rect.x);
        expect(x).toBeLessThan(rect.x + rect.width);
        expect(y).toBeGreaterThan(rect.y);
        expect(y).toBeLessThan(rect.y + rect.height);
      }
      expect(changedOutside(frame, astronaut, rect)).toBe(0);
      expect(meanDiffOnFace(frame, astronaut, points).mean).toBeGreaterThan(50);
    },
  );

  it('should paste 255 − x inside the box mask when the face sits on the template (gpen_bfr_512)', async () => {
    // The 512² frame is its own crop; maskBlur 0 is FaceFusion's 1 px zero strip without blur.
    const session = await open(negativeRestorer(512), 'gpen_bfr_512');
    const frame = copy(astronaut);
    await restoreFace(session, frame, onTemplate, { strength: 1, maskBlur: 0 });
    let wrong = 0;
    for (let y = 1; y < 511; y++) {
      for (let x = 1; x < 511; x++) {
        for (let c = 0; c < 3; c++) {
          const i = (y * 512 + x) * 3 + c;
          if (frame.data[i] !== 255 - (astronaut.data[i] ?? 0)) wrong++;
        }
      }
    }
    expect(wrong).toBe(0);
  });

  it("should align gpen_bfr_256's crop on FaceFusion's arcface_128 template at 256²", async () => {
    const { session, feeds } = recording(
      await open(buildFixtureModel(RESTORER_FIXTURE_SPECS.gpen_bfr_256), 'gpen_bfr_256'),
    );
    const { frame, points: dots } = dotFrame(ARCFACE_128_AT_256, 0.8);
    await restoreFace(session, frame, dots, { strength: 1 });
    const fed = feeds[0]?.input;
    expect(fed?.dims).toEqual([1, 3, 256, 256]);
    for (const p of ARCFACE_128_AT_256) {
      const [x, y] = centroid(fed?.data as Float32Array, 256, p, 8);
      expect(Math.hypot(x - p[0], y - p[1])).toBeLessThan(1);
    }
  });

  it("should align gpen_bfr_1024's crop on FaceFusion's ffhq_512 template at 1024²", async () => {
    const { session, feeds } = recording(
      await open(buildFixtureModel(RESTORER_FIXTURE_SPECS.gpen_bfr_1024), 'gpen_bfr_1024'),
    );
    const { frame, points: dots } = dotFrame(FFHQ_512_AT_1024, 0.3);
    await restoreFace(session, frame, dots, { strength: 1 });
    const fed = feeds[0]?.input;
    expect(fed?.dims).toEqual([1, 3, 1024, 1024]);
    for (const p of FFHQ_512_AT_1024) {
      const [x, y] = centroid(fed?.data as Float32Array, 1024, p, 20);
      expect(Math.hypot(x - p[0], y - p[1])).toBeLessThan(1);
    }
  });

  it('should keep a paste mask per crop size: 256², 512², 256² in turn give what each gives alone', async () => {
    const gpen = await open(negativeRestorer(256), 'gpen_bfr_256');
    const gfpgan = await open(negativeRestorer(512), 'gfpgan_1.4');
    // strength < 1 is what goes through the shared paste mask (box × strength).
    const alone = copy(astronaut);
    await restoreFace(gpen, alone, points, { strength: 0.7 });
    const alone512 = copy(astronaut);
    await restoreFace(gfpgan, alone512, points, { strength: 0.7 });
    const first = copy(astronaut);
    const middle = copy(astronaut);
    const last = copy(astronaut);
    await restoreFace(gpen, first, points, { strength: 0.7 });
    await restoreFace(gfpgan, middle, points, { strength: 0.7 });
    await restoreFace(gpen, last, points, { strength: 0.7 });
    expect(differing(first, alone)).toBe(0);
    expect(differing(middle, alone512)).toBe(0);
    expect(differing(last, alone)).toBe(0);
    expect(differing(alone, alone512)).toBeGreaterThan(1000);
  });

  it("should read the image from output '2359' of VisoMaster's RestoreFormer++ export, not its first output", async () => {
    // face_restorers.py binds `input` and reads `2359` among 15 outputs; here another of its output
    // names comes first (and "1228" < "2359" would also come first among an object's keys).
    const image = [1, 3, 512, 512];
    const session = await open(
      buildFixtureModel({
        inputs: [{ name: 'input', dims: image }],
        outputs: [
          { name: '1228', dims: image },
          { name: '2359', dims: image, compute: 'identity:input' },
        ],
      }),
      'restoreformer_plus_plus',
    );
    const frame = copy(astronaut);
    await restoreFace(session, frame, points, { strength: 1 });
    expect(meanDiffOnFace(frame, astronaut, points).mean).toBeLessThan(1.5);
  });

  it("should otherwise read the model's first declared output, as FaceFusion does, whatever its name", async () => {
    // Exporters name outputs by node numbers; an object's keys would put "3" before "5".
    const image = [1, 3, 512, 512];
    const session = await open(
      buildFixtureModel({
        inputs: [{ name: 'input', dims: image }],
        outputs: [
          { name: '5', dims: image, compute: 'identity:input' },
          { name: '3', dims: image },
        ],
      }),
      'gfpgan_1.2',
    );
    const frame = copy(astronaut);
    await restoreFace(session, frame, points, { strength: 1 });
    expect(meanDiffOnFace(frame, astronaut, points).mean).toBeLessThan(1.5);
  });

  it('should say which restorers there are when the session is not one', async () => {
    const session = await open(buildFixtureModel(RESTORER_FIXTURE_SPECS['gfpgan_1.4']), 'arcface_w600k_r50');
    const frame = copy(astronaut);
    await expect(restoreFace(session, frame, points, { strength: 1 })).rejects.toThrow(
      'restoreFace: "arcface_w600k_r50" is not a face restorer (restorers: gfpgan_1.4, gfpgan_1.3, gfpgan_1.2, ' +
        'codeformer, restoreformer_plus_plus, gpen_bfr_256, gpen_bfr_512, gpen_bfr_1024, gpen_bfr_2048)',
    );
    expect(differing(frame, astronaut)).toBe(0);
  });

  it("should name the size a restorer's id needs when the model has another", async () => {
    const session = await open(buildFixtureModel(RESTORER_FIXTURE_SPECS['gfpgan_1.4']), 'gpen_bfr_256');
    await expect(restoreFace(session, copy(astronaut), points, { strength: 1 })).rejects.toThrow(
      'gpen_bfr_256: a face restorer needs a float32 [1, 3, 256, 256] image input; the model takes input: float32[1, 3, 512, 512]',
    );
  });

  it('should refuse a float16 image input, naming it (restorers are fed float32)', async () => {
    const session: ModelSession = {
      id: 'restoreformer_plus_plus',
      provider: 'cpu',
      fallbacks: [],
      inputs: [{ name: 'input', type: 'float16', shape: [1, 3, 512, 512] }],
      outputs: [{ name: 'output', type: 'float16', shape: [1, 3, 512, 512] }],
      run: () => Promise.reject(new Error('must not run')),
      stats: () => ({ runs: 0, totalMs: 0, lastMs: 0 }),
      release: async () => undefined,
    };
    await expect(restoreFace(session, copy(astronaut), points, { strength: 1 })).rejects.toThrow(
      'restoreformer_plus_plus: a face restorer needs a float32 [1, 3, 512, 512] image input; the model takes input: float16[1, 3, 512, 512]',
    );
  });

  it('should name an output of the wrong size', async () => {
    const session = await open(
      buildFixtureModel({
        inputs: [{ name: 'input', dims: [1, 3, 512, 512] }],
        outputs: [{ name: 'output', dims: [1, 3, 256, 256] }],
      }),
      'gpen_bfr_512',
    );
    const frame = copy(astronaut);
    await expect(restoreFace(session, frame, points, { strength: 1 })).rejects.toThrow(
      'gpen_bfr_512: expected a float32 [1, 3, 512, 512] output, got float32[1, 3, 256, 256]',
    );
    expect(differing(frame, astronaut)).toBe(0);
  });
});
