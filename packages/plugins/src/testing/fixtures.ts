// Fixture models with the exact I/O of the real face swap and LivePortrait models
// (docs/models/face.md §11, docs/models/liveportrait.md §2.2–2.3), for tests and benchmarks here and in the apps: files on disk, and a catalog file
// (VISAGE_MODEL_CATALOG) with their checksums so a real worker installs and runs them.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findModel } from '@visage/inference/models';
import { buildFixtureModel, type FixtureModelSpec } from '@visage/inference/testing';
import { modelCatalog } from '../catalog.ts';

/** A deterministic 512×512 "emap" that is easy to recognise: 1.5 on the diagonal plus a ripple. */
export function fixtureEmap(): Float32Array {
  const emap = new Float32Array(512 * 512);
  for (let i = 0; i < 512; i++) {
    for (let j = 0; j < 512; j++)
      emap[i * 512 + j] = (i === j ? 1.5 : 0) + 0.01 * Math.sin(i * 0.37 + j * 0.11);
  }
  return emap;
}

/** Fixture specs with the exact tensor names, shapes and types of the real files (docs/models/face.md §4.4, §5.2, §6.1, §7.2–7.3). */
export const FACESWAP_FIXTURE_SPECS = {
  arcface_w600k_r50: {
    inputs: [{ name: 'input', dims: [1, 3, 112, 112] }],
    outputs: [{ name: 'output', dims: [1, 512] }],
  },
  inswapper_128: {
    inputs: [
      { name: 'target', dims: [1, 3, 128, 128] },
      { name: 'source', dims: [1, 512] },
    ],
    outputs: [{ name: 'output', dims: [1, 3, 128, 128] }],
    initializers: [{ name: 'emap', dims: [512, 512], data: fixtureEmap() }],
  },
  'gfpgan_1.4': {
    inputs: [{ name: 'input', dims: [1, 3, 512, 512] }],
    outputs: [{ name: 'output', dims: [1, 3, 512, 512], compute: 'identity:input' }],
  },
  xseg_1: {
    inputs: [{ name: 'input', dims: [1, 256, 256, 3] }],
    outputs: [{ name: 'output', dims: [1, 256, 256, 1] }],
  },
  bisenet_resnet_34: {
    inputs: [{ name: 'input', dims: [1, 3, 512, 512] }],
    outputs: [{ name: 'output', dims: [1, 19, 512, 512] }],
  },
  codeformer: {
    inputs: [
      { name: 'input', dims: [1, 3, 512, 512] },
      { name: 'weight', dims: [1], type: 'float64' },
    ],
    outputs: [{ name: 'output', dims: [1, 3, 512, 512] }],
  },
} satisfies Record<string, FixtureModelSpec>;

export type FixtureId = keyof typeof FACESWAP_FIXTURE_SPECS;

/** Writes the fixture models into `dir`; returns id → file. */
export async function writeFixtureModels(
  dir: string,
  specs: Partial<Record<string, FixtureModelSpec>> = FACESWAP_FIXTURE_SPECS,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [id, spec] of Object.entries(specs)) {
    if (!spec) continue;
    const file = path.join(dir, `${id}.onnx`);
    await writeFile(file, buildFixtureModel(spec));
    files[id] = file;
  }
  return files;
}

export const LP_FIXTURE_SPECS = {
  liveportrait_appearance_feature_extractor: {
    inputs: [{ name: 'img', dims: [1, 3, 256, 256] }],
    outputs: [{ name: 'output', dims: [1, 32, 16, 64, 64] }],
  },
  liveportrait_motion_extractor: {
    inputs: [{ name: 'img', dims: [1, 3, 256, 256] }],
    outputs: [
      { name: 'pitch', dims: [1, 66] },
      { name: 'yaw', dims: [1, 66] },
      { name: 'roll', dims: [1, 66] },
      { name: 't', dims: [1, 3] },
      { name: 'exp', dims: [1, 63] },
      { name: 'scale', dims: [1, 1] },
      { name: 'kp', dims: [1, 63] },
    ],
  },
  liveportrait_warping_spade: {
    inputs: [
      { name: 'feature_3d', dims: [1, 32, 16, 64, 64] },
      { name: 'kp_driving', dims: [1, 21, 3] },
      { name: 'kp_source', dims: [1, 21, 3] },
    ],
    outputs: [{ name: 'out', dims: [1, 3, 512, 512] }],
  },
  liveportrait_stitching: {
    inputs: [{ name: 'input', dims: [1, 126] }],
    outputs: [{ name: 'output', dims: [1, 65] }],
  },
  liveportrait_stitching_eye: {
    inputs: [{ name: 'input', dims: [1, 66] }],
    outputs: [{ name: 'output', dims: [1, 63] }],
  },
  liveportrait_stitching_lip: {
    inputs: [{ name: 'input', dims: [1, 65] }],
    outputs: [{ name: 'output', dims: [1, 63] }],
  },
  liveportrait_landmark: {
    inputs: [{ name: 'input', dims: [1, 3, 224, 224] }],
    outputs: [
      { name: 'output', dims: [1, 214] },
      { name: '853', dims: [1, 262] },
      { name: '856', dims: [1, 406] },
    ],
  },
  // Required by a portrait animation (docs/models/liveportrait.md §5.3): a fixed upright face in its crop.
  '2d106det': {
    inputs: [{ name: 'data', dims: [1, 3, 192, 192] }],
    outputs: [{ name: 'fc1', dims: [1, 212], values: face106Values() }],
  },
} satisfies Record<string, FixtureModelSpec>;

/**
 * 2d106det's `fc1` as a fixed face in its 192² crop, in the model's [−1, 1] units (crop pixel =
 * (v + 1)·96): every point at the centre but four extremes at ±0.6 (so the face frame's box is ±0.6
 * about the crop centre), the eye groups [33,35,40,39] / [87,89,94,93] at (∓0.3, −0.2) and the lip
 * points 52, 61 at (0, 0.3): an upright face. The crop is 1.5·max(w, h) of the detector box b around
 * its centre, so in the image these points span 1.2·0.75 = 0.9·b about b's centre.
 */
export function face106Values(): number[] {
  const points = Array.from({ length: 106 }, (): [number, number] => [0, 0]);
  const set = (indices: number[], p: [number, number]) => {
    for (const i of indices) points[i] = p;
  };
  set([1], [-0.6, 0]);
  set([2], [0.6, 0]);
  set([3], [0, -0.6]);
  set([4], [0, 0.6]);
  set([33, 35, 40, 39], [-0.3, -0.2]);
  set([87, 89, 94, 93], [0.3, -0.2]);
  set([52, 61], [0, 0.3]);
  return points.flat();
}

/**
 * Writes fixture models the way the model store keeps them (`<dir>/<id>/<file>`) and a catalog file
 * whose entries are the registered ones with the fixtures' sizes and sha256, for VISAGE_MODEL_CATALOG.
 */
export async function installFixtureModels(
  modelsDir: string,
  specs: Record<string, FixtureModelSpec>,
): Promise<{ catalogFile: string }> {
  const entries = [];
  for (const [id, spec] of Object.entries(specs)) {
    const entry = findModel(id, modelCatalog());
    const bytes = buildFixtureModel(spec);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const variant = { ...entry.variants[0], file: entry.file, sha256, bytes: bytes.length };
    await mkdir(path.join(modelsDir, id), { recursive: true });
    await writeFile(path.join(modelsDir, id, entry.file), bytes);
    entries.push({ ...entry, sha256, bytes: bytes.length, residentBytes: null, variants: [variant] });
  }
  const catalogFile = path.join(modelsDir, 'fixture-catalog.json');
  await writeFile(catalogFile, JSON.stringify(entries, null, 2));
  return { catalogFile };
}
