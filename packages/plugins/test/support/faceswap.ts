// Test support for the face swap plugin: fixture models with the real models' I/O served by a real
// ModelManager, a RunContext that records what the plugin does, and a clip made from astronaut.png.
import { readFile } from 'node:fs/promises';
import { ModelManager, ModelMissingError } from '@visage/inference';
import { BLAZEFACE_MODEL_PATH } from '../../src/face/blazeface.ts';
import type { InputAsset, Preview, RunContext } from '../../src/types.ts';

export {
  ASTRONAUT,
  FACESWAP_FIXTURE_SPECS as FIXTURE_SPECS,
  fixtureEmap,
  writeAstronautClip,
  writeFixtureModels,
} from '../../src/testing/index.ts';

export const quiet = { warn: () => undefined, debug: () => undefined, info: () => undefined };

/** A ModelManager whose catalog is `files` plus the bundled BlazeFace; other ids are "not installed". */
export function fixtureModelManager(files: Record<string, string>): ModelManager {
  const all: Record<string, string> = { blazeface: BLAZEFACE_MODEL_PATH, ...files };
  return new ModelManager({
    budgetBytes: 2 ** 31,
    providers: ['cpu'],
    log: quiet,
    locator: {
      async locate(id) {
        const file = all[id];
        if (!file) throw new ModelMissingError([{ id, state: 'missing' }]);
        return { path: file, bytes: 1, sha256: null, precision: 'fp32' };
      },
    },
  });
}

export interface RecordingContext {
  ctx: RunContext;
  progress: { fraction: number; stage: string; preview?: Preview }[];
  outputs: { slot: string; data?: Uint8Array; path?: string }[];
  metadata: Record<string, unknown>;
  acquired: string[];
}

export function recordingContext(
  models: ModelManager,
  inputs: Record<string, Omit<InputAsset, 'id'>>,
  { signal = new AbortController().signal, jobId = 'job-1' } = {},
): RecordingContext {
  const progress: RecordingContext['progress'] = [];
  const outputs: RecordingContext['outputs'] = [];
  const metadata: Record<string, unknown> = {};
  const acquired: string[] = [];
  const ctx: RunContext = {
    jobId,
    signal,
    log: { ...quiet, error: () => undefined },
    progress: (fraction, stage, preview) =>
      progress.push({ fraction, stage, ...(preview ? { preview } : {}) }),
    assets: {
      input: async (id) => {
        const asset = inputs[id];
        if (!asset) throw new Error(`no input ${id}`);
        return { id, ...asset };
      },
      writeOutput: async (output) => {
        // Read a file output at once: the plugin deletes its temporary folder afterwards.
        outputs.push('data' in output ? output : { slot: output.slot, data: await readFile(output.path) });
        return `out-${outputs.length}`;
      },
    },
    record: (values) => Object.assign(metadata, values),
    models: {
      acquire: async (id) => {
        acquired.push(id);
        return models.acquire(id);
      },
      locate: (id) => models.locate(id),
      memory: () => models.memory(),
    },
    device: {
      device: 'cpu',
      providers: ['cpu'],
      precision: 'fp32',
      budgetBytes: 2 ** 31,
      budgetReason: 'test',
      gpuIndex: null,
    },
  };
  return { ctx, progress, outputs, metadata, acquired };
}

export function imageAsset(file: string, name: string, mime = 'image/png'): Omit<InputAsset, 'id'> {
  return { name, path: file, mime, width: null, height: null, durationMs: null, fps: null, hasAudio: null };
}

export function videoAsset(file: string, name: string): Omit<InputAsset, 'id'> {
  return {
    name,
    path: file,
    mime: 'video/mp4',
    width: null,
    height: null,
    durationMs: null,
    fps: null,
    hasAudio: true,
  };
}
