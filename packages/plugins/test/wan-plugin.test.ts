// The wan plugin end to end on fixture models with the exact contracts (docs/models/wan.md §9.3,
// §9.7) at a tiny size: a prompt and a reference give an MP4 with the expected frames, progress per
// step with latent previews, cancel, seeds, text-to-video on both sets, staging within a one-part
// budget, and the input errors.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ModelManager, ModelMissingError, probeVideo } from '@visage/inference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UMT5_TINY_TOKENIZER, writeWanFixtureModels } from '../src/testing/index.ts';
import { wanPlugin } from '../src/wan/index.ts';
import { WAN_MODEL_IDS, WAN_T2V_MODEL_IDS, WAN_TOKENIZER_ID } from '../src/wan/model-ids.ts';
import { ASTRONAUT, imageAsset, quiet, recordingContext } from './support/faceswap.ts';

const TOKENIZER = UMT5_TINY_TOKENIZER;
const REF = '0190c5a0-0000-7000-8000-0000000000d1';
const BROKEN = '0190c5a0-0000-7000-8000-0000000000d2';
/** A tiny custom run: 416×240, 9 frames → latent [16, 3 (+1 reference), 30, 52], 4 steps. */
const TINY = { preset: 'custom', size: '416x240', frames: 9, steps: 4, seed: 7 } as const;

let dir: string;
let files: Record<string, string>;
let inputs: Record<string, ReturnType<typeof imageAsset>>;

/** A ModelManager over the fixtures where every part "takes" `partBytes` of a `budget`. */
function manager({
  partBytes = 1,
  budget = 2 ** 31,
  only,
}: {
  partBytes?: number;
  budget?: number;
  only?: string[];
} = {}) {
  return new ModelManager({
    budgetBytes: budget,
    providers: ['cpu'],
    log: quiet,
    locator: {
      async locate(id) {
        const file = id === WAN_TOKENIZER_ID ? TOKENIZER : files[id];
        if (!file || (only && !only.includes(id))) throw new ModelMissingError([{ id, state: 'missing' }]);
        return { path: file, bytes: partBytes, sha256: null, precision: 'fp32' };
      },
    },
  });
}

async function run(options: Record<string, unknown>, models = manager(), signal?: AbortSignal) {
  const recording = recordingContext(models, inputs, { signal });
  await wanPlugin.run(recording.ctx, wanPlugin.input.parse(options));
  return recording;
}

const sha = (data: Uint8Array | undefined) =>
  createHash('sha256')
    .update(data ?? new Uint8Array())
    .digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-wan-'));
  files = await writeWanFixtureModels(dir);
  const broken = path.join(dir, 'broken.png');
  await writeFile(broken, 'not a picture');
  inputs = { [REF]: imageAsset(ASTRONAUT, 'astronaut.png'), [BROKEN]: imageAsset(broken, 'broken.png') };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the wan plugin', () => {
  let first: Awaited<ReturnType<typeof run>>;

  it('should turn a prompt and a reference into an MP4 of the requested frames, with per-step progress and previews', async () => {
    first = await run({ prompt: 'an astronaut waves', references: [REF], ...TINY });
    expect(first.outputs.map((o) => o.slot)).toEqual(['result']);
    const out = path.join(dir, 'first.mp4');
    await writeFile(out, first.outputs[0]?.data ?? new Uint8Array());
    const info = await probeVideo(out);
    expect([info.width, info.height, info.frameCount, info.fps]).toEqual([416, 240, 9, 16]);

    const steps = first.progress.filter((p) => /^step \d+\/4$/.test(p.stage));
    expect(steps.map((p) => p.stage)).toEqual(['step 1/4', 'step 2/4', 'step 3/4', 'step 4/4']);
    // Rising through the denoising part of the bar, with a JPEG latent preview on some steps.
    const fractions = steps.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(new Set(fractions).size).toBe(4);
    const previews = steps.filter((p) => p.preview);
    expect(previews.length).toBeGreaterThanOrEqual(1);
    expect([...(previews[0]?.preview?.data.subarray(0, 3) ?? [])]).toEqual([0xff, 0xd8, 0xff]);

    expect(first.metadata).toMatchObject({
      tool: 'wan',
      settings: { width: 416, height: 240, frames: 9, steps: 4, seed: 7, model: 'vace', references: 1 },
      promptTokens: expect.any(Number),
    });
    const roles = (first.metadata.parts as { id: string; provider: string }[]).map((p) => [p.id, p.provider]);
    expect(roles).toEqual([
      [WAN_MODEL_IDS.textEncoder, 'cpu'],
      [WAN_MODEL_IDS.vaeEncoder, 'cpu'],
      [WAN_MODEL_IDS.transformer, 'cpu'],
      [WAN_MODEL_IDS.vaeDecoderFirst, 'cpu'],
      [WAN_MODEL_IDS.vaeDecoder, 'cpu'],
    ]);
    expect((first.metadata.memory as { peakResidentBytes: number }).peakResidentBytes).toBeGreaterThan(0);
  });

  it('should give the same file for the same seed and a different one for another seed or prompt', async () => {
    const again = await run({ prompt: 'an astronaut waves', references: [REF], ...TINY });
    expect(sha(again.outputs[0]?.data)).toBe(sha(first.outputs[0]?.data));
    const otherSeed = await run({ prompt: 'an astronaut waves', references: [REF], ...TINY, seed: 8 });
    expect(sha(otherSeed.outputs[0]?.data)).not.toBe(sha(first.outputs[0]?.data));
    const otherPrompt = await run({ prompt: 'an astronaut sits', references: [REF], ...TINY });
    expect(sha(otherPrompt.outputs[0]?.data)).not.toBe(sha(first.outputs[0]?.data));
  });

  it('should stop between steps when cancelled, writing nothing', async () => {
    const abort = new AbortController();
    const models = manager();
    const recording = recordingContext(models, inputs, { signal: abort.signal });
    const progress = recording.ctx.progress;
    recording.ctx.progress = (fraction, stage, preview) => {
      progress(fraction, stage, preview);
      if (stage === 'step 2/4') abort.abort(new Error('cancelled by the test'));
    };
    const job = wanPlugin.run(
      recording.ctx,
      wanPlugin.input.parse({ prompt: 'a cat', references: [REF], ...TINY }),
    );
    await expect(job).rejects.toThrow('cancelled by the test');
    expect(recording.outputs).toEqual([]);
    expect(recording.progress.map((p) => p.stage)).not.toContain('step 3/4');
  });

  it('should run text-to-video without references on the VACE set and on the T2V set', async () => {
    const vace = await run({ prompt: 'a red kite in the wind', ...TINY });
    expect(vace.metadata).toMatchObject({ settings: { model: 'vace', references: 0 } });
    const t2v = await run({ prompt: 'a red kite in the wind', model: 't2v', ...TINY });
    const parts = (t2v.metadata.parts as { id: string }[]).map((p) => p.id);
    expect(parts).toEqual([
      WAN_T2V_MODEL_IDS.textEncoder,
      WAN_T2V_MODEL_IDS.transformer,
      WAN_T2V_MODEL_IDS.vaeDecoder,
    ]);
    for (const job of [vace, t2v]) {
      const out = path.join(dir, `${job === vace ? 'vace' : 't2v'}.mp4`);
      await writeFile(out, job.outputs[0]?.data ?? new Uint8Array());
      expect((await probeVideo(out)).frameCount).toBe(9);
    }
  });

  it('should complete within a budget that holds one part at a time, never exceeding it', async () => {
    const models = manager({ partBytes: 100, budget: 150 });
    await run({ prompt: 'an astronaut waves', references: [REF], ...TINY }, models);
    const stats = models.stats();
    expect(stats.peakResidentBytes).toBe(100);
    expect(stats.peakResidentBytes).toBeLessThanOrEqual(stats.budgetBytes);
    expect(stats.evictions).toBeGreaterThanOrEqual(4); // each part made room for the next
  });

  it('should refuse bad input with a message that names the problem', async () => {
    const long = Array.from({ length: 600 }, () => 'cat').join(' ');
    await expect(run({ prompt: long, ...TINY })).rejects.toThrow(/601 tokens.*512/);
    expect(() => wanPlugin.input.parse({ prompt: 'x', references: [REF, REF, REF, REF, REF] })).toThrow(
      'At most four reference images',
    );
    expect(() => wanPlugin.input.parse({ prompt: 'x', references: [REF], model: 't2v' })).toThrow(
      'Reference images need the VACE model',
    );
    await expect(run({ prompt: 'x', references: [BROKEN], ...TINY })).rejects.toThrow(
      /reference image 1 "broken.png" is not a readable image/,
    );
    await expect(
      run({ prompt: 'x', ...TINY }, manager({ only: [WAN_MODEL_IDS.textEncoder, WAN_TOKENIZER_ID] })),
    ).rejects.toThrow(ModelMissingError);
    // A file that is not what the part must be (here the VAE encoder imported as the transformer).
    const swapped = files;
    files = { ...files, [WAN_MODEL_IDS.transformer]: files[WAN_MODEL_IDS.vaeEncoder] as string };
    try {
      await expect(run({ prompt: 'x', ...TINY })).rejects.toThrow(/wan2\.1_vace_1\.3b.*timestep/s);
    } finally {
      files = swapped;
    }
  });
});
