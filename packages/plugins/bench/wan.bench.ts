// Wan pipeline overhead (docs/models/wan.md §12): the denoising loop's wall time per step against the
// transformer's own onnxruntime run time in the same steps (1.00 = no host-side overhead: feeds,
// classifier-free guidance, the sampler, latent previews), and the VAE decode's time per frame. The
// fixture transformer carries MatMul work (about 17 GFLOP per batch-2 step) so a step costs what a
// small real network does on this CPU; the other parts are the plain fixtures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from '@visage/inference/bench';
import { buildWanFixture, UMT5_TINY_TOKENIZER, writeWanFixtureModels } from '../src/testing/index.ts';
import { wanPlugin } from '../src/wan/index.ts';
import { WAN_MODEL_IDS, WAN_TOKENIZER_ID } from '../src/wan/model-ids.ts';
import { ASTRONAUT, fixtureModelManager, imageAsset, recordingContext } from '../test/support/faceswap.ts';

const REF = '0190c5a0-0000-7000-8000-0000000000e1';
/** The fast preset's size and length (416×240, 17 frames) with one reference, 16 steps. */
const SETTINGS = { preset: 'custom', size: '416x240', frames: 17, steps: 16, seed: 1 } as const;

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-bench-wan-'));
  try {
    const files = await writeWanFixtureModels(dir);
    const heavy = path.join(dir, 'transformer-work.onnx');
    await writeFile(heavy, buildWanFixture('vace.transformer', { work: 2 }));
    files[WAN_MODEL_IDS.transformer] = heavy;
    files[WAN_TOKENIZER_ID] = UMT5_TINY_TOKENIZER;
    const models = fixtureModelManager(files);
    const input = wanPlugin.input.parse({ prompt: 'an astronaut waves', references: [REF], ...SETTINGS });
    const runOnce = async () => {
      const { ctx, metadata } = recordingContext(models, { [REF]: imageAsset(ASTRONAUT, 'astronaut.png') });
      await wanPlugin.run(ctx, input);
      return metadata as {
        stepMs: number;
        transformerMs: number;
        stageMs: { decode: number; encode: number; denoise: number };
      };
    };
    await runOnce(); // warm-up: sessions load, onnxruntime plans its buffers
    const m = await runOnce();
    await models.unloadAll();

    const steps = SETTINGS.steps;
    const transformerPerStep = m.transformerMs / steps;
    const ratio = m.stepMs / transformerPerStep;
    const decodePerFrame = m.stageMs.decode / SETTINGS.frames;
    const encodePerFrame = m.stageMs.encode / SETTINGS.frames;
    const r = (v: number) => v.toFixed(2);
    return {
      name: 'wan',
      metrics: {
        steps,
        stepWallMs: m.stepMs,
        transformerMsPerStep: transformerPerStep,
        hostOverheadMsPerStep: m.stepMs - transformerPerStep,
        stepOverheadRatio: ratio,
        decodeMsPerFrame: decodePerFrame,
        encodeMsPerFrame: encodePerFrame,
      },
      goals: [{ metric: 'stepOverheadRatio', label: 'step / transformer', max: 1.05 }],
      key: ['hostOverheadMsPerStep', 'decodeMsPerFrame', 'encodeMsPerFrame'],
      summary:
        `step ${r(m.stepMs)} ms vs the transformer's ${r(transformerPerStep)} ms: ×${r(ratio)} ` +
        `(${r(m.stepMs - transformerPerStep)} ms of host work per step; goal ≤ 1.05); ` +
        `VAE decode ${r(decodePerFrame)} ms/frame, H.264 encode ${r(encodePerFrame)} ms/frame at 416×240`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
