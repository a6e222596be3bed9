import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enabledPluginIds, loadPlugins, type RunContext, referencedAssets } from '../src/index.ts';
import { testPlugin } from '../src/test/index.ts';

function fakeContext(inputs: Record<string, string> = {}, signal = new AbortController().signal) {
  const progress: { fraction: number; stage: string; preview: boolean }[] = [];
  const outputs: { slot: string; data: Uint8Array }[] = [];
  const recorded: Record<string, unknown>[] = [];
  const ctx: RunContext = {
    jobId: 'job-1',
    signal,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    progress: (fraction, stage, preview) => progress.push({ fraction, stage, preview: Boolean(preview) }),
    assets: {
      input: async (id) => {
        const file = inputs[id];
        if (!file) throw new Error(`no input ${id}`);
        return {
          id,
          name: 'tiny.png',
          path: file,
          mime: 'image/png',
          width: 2,
          height: 1,
          durationMs: null,
          fps: null,
          hasAudio: null,
        };
      },
      writeOutput: async (output) => {
        if (!('data' in output)) throw new Error('expected data');
        outputs.push(output);
        return 'out-1';
      },
    },
    record: (metadata) => recorded.push(metadata),
    models: {
      acquire: async (id) => {
        throw new Error(`the test plugin needs no model, asked for ${id}`);
      },
      locate: async (id) => {
        throw new Error(`the test plugin needs no model, asked for ${id}`);
      },
      memory: () => ({ residentBytes: 0, peakResidentBytes: 0, budgetBytes: 0 }),
    },
    device: {
      device: 'cpu',
      providers: ['cpu'],
      precision: 'fp32',
      budgetBytes: 0,
      budgetReason: 'test',
      gpuIndex: null,
    },
  };
  return { ctx, progress, outputs, recorded };
}

describe('test plugin', () => {
  let dir: string;
  const imageId = '0190c5a0-0000-7000-8000-000000000001';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'visage-plugin-'));
    // 2×1 image: red on the left, blue on the right.
    const png = await sharp(Buffer.from([255, 0, 0, 0, 0, 255]), {
      raw: { width: 2, height: 1, channels: 3 },
    })
      .png()
      .toBuffer();
    await writeFile(path.join(dir, 'in.png'), png);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('should report every step, one preview, and write the mirrored image', async () => {
    const { ctx, progress, outputs, recorded } = fakeContext({ [imageId]: path.join(dir, 'in.png') });
    await testPlugin.run(ctx, testPlugin.input.parse({ image: imageId, steps: 4, stepMs: 0 }));
    expect(progress.map((p) => [p.fraction, p.stage])).toEqual([
      [0.25, 'step 1/4'],
      [0.5, 'step 2/4'],
      [0.75, 'step 3/4'],
      [1, 'step 4/4'],
    ]);
    expect(progress.filter((p) => p.preview)).toHaveLength(1);
    expect(outputs).toHaveLength(1);
    const { data, info } = await sharp(outputs[0]?.data).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([2, 1]);
    expect([...data.subarray(0, info.channels)].slice(0, 3)).toEqual([0, 0, 255]); // blue now on the left
    expect(recorded).toEqual([{ steps: 4, mirrored: true }]);
  });

  it('should stop when its signal is aborted', async () => {
    const controller = new AbortController();
    const { ctx, progress, outputs } = fakeContext({}, controller.signal);
    const running = testPlugin.run(ctx, testPlugin.input.parse({ steps: 100, stepMs: 20 }));
    setTimeout(() => controller.abort(new Error('cancelled by user')), 70);
    await expect(running).rejects.toThrow('cancelled by user');
    expect(progress.length).toBeLessThan(10);
    expect(outputs).toEqual([]);
  });

  it('should fail at the step it is told to', async () => {
    const { ctx } = fakeContext();
    await expect(
      testPlugin.run(ctx, testPlugin.input.parse({ steps: 3, stepMs: 0, failAtStep: 2 })),
    ).rejects.toThrow('Test plugin failed at step 2 as asked');
  });

  it('should validate input and name the bad field', () => {
    const result = testPlugin.input.safeParse({ steps: 0, image: 'not-an-id' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['image', 'steps']);
  });
});

describe(referencedAssets.name, () => {
  it('should list the asset ids an input refers to, by field', () => {
    expect(referencedAssets(testPlugin, { image: 'a', steps: 2 })).toEqual([{ slot: 'image', ids: ['a'] }]);
    expect(referencedAssets(testPlugin, { steps: 2 })).toEqual([]);
    const multi = { ...testPlugin, assetFields: ['source', 'target'] };
    expect(referencedAssets(multi, { source: ['a', 'b'], target: 'c' })).toEqual([
      { slot: 'source', ids: ['a', 'b'] },
      { slot: 'target', ids: ['c'] },
    ]);
  });
});

describe(loadPlugins.name, () => {
  it('should enable the test plugin only when asked', () => {
    expect(enabledPluginIds({ enableTestPlugin: false })).not.toContain('test');
    expect(loadPlugins(enabledPluginIds({ enableTestPlugin: true })).map((p) => p.id)).toContain('test');
  });

  it('should refuse an unknown plugin id', () => {
    expect(() => loadPlugins(['faceswop'])).toThrow(
      'Unknown plugin "faceswop". Known: faceswap, liveportrait, wan, test',
    );
  });
});
