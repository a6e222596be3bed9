// Cost of a cache-hit acquire + release on the ModelManager (the per-frame overhead of asking for
// a model that is already loaded), next to the cost of a plain Map lookup as the floor.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ModelManager } from '../src/model-manager.ts';
import { buildFixtureModel } from '../src/onnx/fixture.ts';
import type { BenchResult } from './types.ts';

const ITERATIONS = 200_000;

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-bench-models-'));
  try {
    const file = path.join(dir, 'm.onnx');
    await writeFile(
      file,
      buildFixtureModel({ inputs: [{ name: 'x', dims: [1, 4] }], outputs: [{ name: 'y', dims: [1, 4] }] }),
    );
    const location = { path: file, bytes: (await stat(file)).size };
    const quiet = { warn: () => undefined, debug: () => undefined, info: () => undefined };
    const models = new ModelManager({
      budgetBytes: 1024 ** 3,
      locator: { locate: async () => location },
      providers: ['cpu'],
      log: quiet,
    });
    (await models.acquire('m')).release(); // load once

    const timeAcquire = async () => {
      const started = performance.now();
      for (let i = 0; i < ITERATIONS; i++) (await models.acquire('m')).release();
      return ((performance.now() - started) * 1000) / ITERATIONS;
    };
    const map = new Map([['m', { pins: 0 }]]);
    const timeMap = async () => {
      const started = performance.now();
      for (let i = 0; i < ITERATIONS; i++) {
        const entry = await Promise.resolve(map.get('m'));
        if (entry) entry.pins++;
        if (entry) entry.pins--;
      }
      return ((performance.now() - started) * 1000) / ITERATIONS;
    };
    await timeAcquire(); // warm-up
    await timeMap();
    const acquireUs = await timeAcquire();
    const floorUs = await timeMap();
    await models.unloadAll();
    return {
      name: 'model-manager',
      metrics: {
        acquireReleaseUs: acquireUs,
        awaitedMapLookupUs: floorUs,
        ratio: acquireUs / floorUs,
        iterations: ITERATIONS,
      },
      key: ['acquireReleaseUs', 'ratio'],
      summary: `cache-hit acquire+release ${acquireUs.toFixed(2)} µs vs an awaited Map lookup ${floorUs.toFixed(2)} µs (×${(acquireUs / floorUs).toFixed(1)})`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
