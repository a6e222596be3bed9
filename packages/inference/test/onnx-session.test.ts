import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildFixtureModel,
  buildGridSample5dModel,
  FIXTURE_WORK_SCALE,
  type FixtureModelSpec,
} from '../src/onnx/fixture.ts';
import { type NodeProto, onnx } from '../src/onnx/proto.ts';
import { readInitializer } from '../src/onnx/reader.ts';
import { createSession, FeedError, ort } from '../src/session/session.ts';
import { forPlatforms } from './support/platforms.ts';

const warnings: string[] = [];
const log = { warn: (_: object, msg: string) => warnings.push(msg), debug: () => undefined };

// The inswapper_128 contract (docs/models/face.md §5.2): target [1,3,128,128] + source [1,512] → output [1,3,128,128].
const inswapperLike = buildFixtureModel({
  inputs: [
    { name: 'target', dims: [1, 3, 128, 128] },
    { name: 'source', dims: [1, 512] },
  ],
  outputs: [{ name: 'output', dims: [1, 3, 128, 128] }],
  initializers: [
    {
      name: 'emap',
      dims: [512, 512],
      data: Float32Array.from({ length: 512 * 512 }, (_, i) => (i % 513 === 0 ? 1 : 0)),
    },
  ],
});

const filled = (dims: number[], value: number) =>
  new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b)).fill(value), dims);

describe('fixture models and sessions', () => {
  it('should expose the real model names, types and shapes', async () => {
    const session = await createSession(inswapperLike, { id: 'inswapper_128', providers: ['cpu'], log });
    expect(session.inputs).toEqual([
      { name: 'target', type: 'float32', shape: [1, 3, 128, 128] },
      { name: 'source', type: 'float32', shape: [1, 512] },
    ]);
    expect(session.outputs).toEqual([{ name: 'output', type: 'float32', shape: [1, 3, 128, 128] }]);
    await session.release();
  });

  it('should produce deterministic outputs that follow the inputs, and time each run', async () => {
    const session = await createSession(inswapperLike, { id: 'inswapper_128', providers: ['cpu'], log });
    const run = async (t: number, s: number) =>
      (await session.run({ target: filled([1, 3, 128, 128], t), source: filled([1, 512], s) })).output
        ?.data as Float32Array;
    const a = await run(0.5, 0.1);
    const again = await run(0.5, 0.1);
    const b = await run(0.2, 0.1);
    expect(a).toHaveLength(3 * 128 * 128);
    expect(again).toEqual(a);
    // Hand-computed: output[0] = mean(target) + mean(source) + 0.5·sin(0.7).
    expect(a[0]).toBeCloseTo(0.5 + 0.1 + 0.5 * Math.sin(0.7), 5);
    expect(b[0]).toBeCloseTo((a[0] ?? 0) - 0.3, 5);
    expect(session.stats().runs).toBe(3);
    expect(session.stats().lastMs).toBeGreaterThan(0);
    await session.release();
  });

  it('should name the feed that does not match: missing, extra, wrong type, wrong shape', async () => {
    const session = await createSession(inswapperLike, { id: 'inswapper_128', providers: ['cpu'], log });
    const target = filled([1, 3, 128, 128], 0);
    await expect(session.run({ target })).rejects.toThrow(
      new FeedError('inswapper_128: missing input(s) source (the model takes target, source)'),
    );
    await expect(session.run({ target, source: filled([1, 512], 0), extra: filled([1], 0) })).rejects.toThrow(
      'inswapper_128: unknown input(s) extra (the model takes target, source)',
    );
    await expect(
      session.run({ target, source: new ort.Tensor('float64', new Float64Array(512), [1, 512]) }),
    ).rejects.toThrow('inswapper_128: input "source" must be float32, got float64');
    await expect(
      session.run({ target: filled([1, 3, 112, 112], 0), source: filled([1, 512], 0) }),
    ).rejects.toThrow('inswapper_128: input "target" must have shape [1, 3, 128, 128], got [1, 3, 112, 112]');
    await session.release();
  });

  it('should copy an input through for identity outputs and keep symbolic dims', async () => {
    const enhancer = buildFixtureModel({
      inputs: [
        { name: 'input', dims: ['batch', 3, 512, 512] },
        { name: 'weight', dims: [1], type: 'float64' },
      ],
      outputs: [{ name: 'output', dims: ['batch', 3, 512, 512], compute: 'identity:input' }],
    });
    const session = await createSession(enhancer, { id: 'codeformer', providers: ['cpu'], log });
    expect(session.inputs[0]?.shape).toEqual(['batch', 3, 512, 512]);
    expect(session.inputs[1]?.type).toBe('float64');
    const input = filled([1, 3, 512, 512], 0.25);
    const out = await session.run({ input, weight: new ort.Tensor('float64', Float64Array.of(0.7), [1]) });
    expect(out.output?.data).toEqual(input.data);
    await session.release();
  });

  // CoreML exists only in macOS builds of onnxruntime-node: elsewhere asking for it is how a failing
  // provider is produced; on a Mac it must load.
  forPlatforms(['linux', 'win32'], 'CoreML is present on macOS, so it cannot be made to fail there', () => {
    it('should fall back to the next provider when one fails, and record why', async () => {
      warnings.length = 0;
      const session = await createSession(inswapperLike, {
        id: 'inswapper_128',
        providers: ['coreml', 'cpu'],
        log,
      });
      expect(session.provider).toBe('cpu');
      expect(session.fallbacks).toEqual([{ provider: 'coreml', reason: expect.stringContaining('coreml') }]);
      expect(warnings[0]).toBe('inswapper_128: coreml execution provider failed; trying cpu');
      await session.release();
    });

    it('should say which providers failed when none loads', async () => {
      await expect(createSession(inswapperLike, { id: 'x', providers: ['coreml'], log })).rejects.toThrow(
        /^x: could not create a session on coreml: /,
      );
    });
  });

  forPlatforms(['darwin'], 'the CoreML execution provider ships only in the macOS build', () => {
    it('should run on CoreML when it is asked for first', async () => {
      const session = await createSession(inswapperLike, {
        id: 'inswapper_128',
        providers: ['coreml', 'cpu'],
        log,
      });
      expect(session.provider).toBe('coreml');
      expect(session.fallbacks).toEqual([]);
      await session.release();
    });
  });
});

describe('fixture models with work', () => {
  // GFPGAN 1.4's I/O plus a pattern output, so one model has both kinds of output.
  const io: FixtureModelSpec = {
    inputs: [{ name: 'input', dims: [1, 3, 64, 64] }],
    outputs: [
      { name: 'output', dims: [1, 3, 64, 64], compute: 'identity:input' },
      { name: 'score', dims: [1, 2], type: 'float64' },
    ],
  };
  const work = { input: 'input', layers: 5, channels: 8, stride: 2 };
  const withWork = buildFixtureModel({ ...io, work });
  const plain = buildFixtureModel(io);
  // Varied values, a negative zero and a NaN: an exact copy keeps all of them bit for bit.
  const image = () => {
    const data = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i * 0.37) * 0.9);
    data[5] = -0;
    data[6] = Number.NaN;
    return new ort.Tensor('float32', data, [1, 3, 64, 64]);
  };
  const bits = (t: ort.Tensor | undefined) => {
    if (!t) throw new Error('no such output');
    return new Uint32Array((t.data as Float32Array).slice().buffer);
  };
  const nodes = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph?.node ?? [];

  it('should add the requested number of 3×3 Conv+Relu layers, stride on the first', () => {
    const convs = nodes(withWork).filter((n) => n.opType === 'Conv');
    expect(convs).toHaveLength(5);
    expect(nodes(withWork).filter((n) => n.opType === 'Relu')).toHaveLength(5);
    expect(nodes(plain).filter((n) => n.opType === 'Conv')).toHaveLength(0);
    const attr = (n: NodeProto, name: string) =>
      n.attribute?.find((a: { name?: string | null }) => a.name === name)?.ints?.map(Number);
    expect(attr(convs[0] as NodeProto, 'strides')).toEqual([2, 2]);
    expect(attr(convs[1] as NodeProto, 'strides')).toEqual([1, 1]);
    for (const conv of convs) {
      expect(attr(conv, 'kernel_shape')).toEqual([3, 3]);
      expect(attr(conv, 'pads')).toEqual([1, 1, 1, 1]);
    }
    const weights = onnx.ModelProto.decode(withWork).graph?.initializer?.filter((t) =>
      t.name?.startsWith('work_w_'),
    );
    expect(weights?.map((w) => w.dims?.map(Number))).toEqual([
      [8, 3, 3, 3],
      ...Array.from({ length: 4 }, () => [8, 8, 3, 3]),
    ]);
  });

  it('should keep the output names, shapes and types', async () => {
    const decoded = (bytes: Uint8Array) =>
      onnx.ModelProto.decode(bytes).graph?.output?.map((o) => JSON.parse(JSON.stringify(o)));
    expect(decoded(withWork)).toEqual(decoded(plain));
    const session = await createSession(withWork, { id: 'gfpgan_1.4', providers: ['cpu'], log });
    expect(session.inputs).toEqual([{ name: 'input', type: 'float32', shape: [1, 3, 64, 64] }]);
    expect(session.outputs).toEqual([
      { name: 'output', type: 'float32', shape: [1, 3, 64, 64] },
      { name: 'score', type: 'float64', shape: [1, 2] },
    ]);
    await session.release();
  });

  it('should run, copy the identity output exactly and move the pattern output by the tiny work term only', async () => {
    // The same model with the work scalar exposed as an extra output, to see its value.
    const probe = onnx.ModelProto.decode(withWork);
    probe.graph?.output?.push(
      onnx.ValueInfoProto.create({ name: 'work', type: { tensorType: { elemType: 1, shape: { dim: [] } } } }),
    );
    const session = await createSession(onnx.ModelProto.encode(probe).finish(), {
      id: 'gfpgan_1.4',
      providers: ['cpu'],
      log,
    });
    const reference = await createSession(plain, { id: 'plain', providers: ['cpu'], log });
    const input = image();
    expect(bits((await session.run({ input })).output)).toEqual(bits(input));
    // A finite input for the pattern output (a NaN makes every mean NaN).
    const finite = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.cos(i)),
      [1, 3, 64, 64],
    );
    const out = await session.run({ input: finite });
    const w = (out.work?.data as Float32Array | undefined)?.[0] ?? Number.NaN;
    // 1e-6 × a mean Relu activation, which is > 0 (bias 0.05) and ≤ max|input| + 0.05·layers = 1.25.
    expect(w).toBeGreaterThan(0);
    expect(w).toBeLessThan(1.25 * FIXTURE_WORK_SCALE);
    const a = out.score?.data as Float64Array;
    const b = (await reference.run({ input: finite })).score?.data as Float64Array;
    // The outputs (0.34 and 0.50 here) are float32 sums, so they move by w to within the rounding of
    // a few float32 steps (2⁻²⁵ below 0.5).
    for (const i of [0, 1]) expect(Math.abs((a[i] ?? 0) - (b[i] ?? 0) - w)).toBeLessThanOrEqual(2 ** -23);
    await session.release();
    await reference.release();
  });

  it.each([
    ['an identity and a pattern output', withWork, 5],
    [
      'only an identity output (CodeFormer, symbolic batch)',
      buildFixtureModel({
        inputs: [
          { name: 'input', dims: ['batch', 3, 64, 64] },
          { name: 'weight', dims: [1], type: 'float64' },
        ],
        outputs: [{ name: 'output', dims: ['batch', 3, 64, 64], compute: 'identity:input' }],
        work: { input: 'input', layers: 3, channels: 4 },
      }),
      3,
    ],
  ] as const)(
    'should keep the Conv stack in the optimised graph with %s, and run it',
    async (_, bytes, layers) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-fixture-'));
      try {
        const optimized = path.join(dir, 'optimized.onnx');
        const session = await ort.InferenceSession.create(bytes, {
          graphOptimizationLevel: 'all',
          optimizedModelFilePath: optimized,
          logSeverityLevel: 3,
        });
        // Conv+Relu become one Conv (NCHWc domain on x86) or FusedConv, depending on the CPU.
        const convs = nodes(await readFile(optimized)).filter((n) => /Conv$/.test(n.opType ?? ''));
        expect(convs).toHaveLength(layers);
        const input = image();
        const feeds: Record<string, ort.Tensor> = { input };
        if (session.inputNames.includes('weight'))
          feeds.weight = new ort.Tensor('float64', Float64Array.of(0.5), [1]);
        const out = await session.run(feeds);
        expect(out.output?.dims).toEqual([1, 3, 64, 64]);
        expect(bits(out.output)).toEqual(bits(input));
        await session.release();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('should fold a 5-D feature volume into channels for the work (LivePortrait W+G)', async () => {
    const volume = buildFixtureModel({
      inputs: [
        { name: 'feature_3d', dims: [1, 4, 2, 8, 8] },
        { name: 'kp_driving', dims: [1, 21, 3] },
      ],
      outputs: [{ name: 'out', dims: [1, 3, 16, 16] }],
      work: { input: 'feature_3d', layers: 2, channels: 4 },
    });
    const reshape = nodes(volume).find((n) => n.opType === 'Reshape');
    expect(reshape?.input).toEqual(['feature_3d', 'work_fold']);
    const weights = onnx.ModelProto.decode(volume).graph?.initializer?.find((t) => t.name === 'work_w_0');
    expect(weights?.dims?.map(Number)).toEqual([4, 8, 3, 3]); // 4 channels × depth 2 folded in
    const session = await createSession(volume, { id: 'warping_spade', providers: ['cpu'], log });
    const out = await session.run({
      feature_3d: new ort.Tensor('float32', new Float32Array(4 * 2 * 8 * 8).fill(0.5), [1, 4, 2, 8, 8]),
      kp_driving: new ort.Tensor('float32', new Float32Array(63), [1, 21, 3]),
    });
    expect(out.out?.dims).toEqual([1, 3, 16, 16]);
    await session.release();
  });

  it('should run LivePortrait W+G’s two 5-D GridSamples at their real shapes before the convs', async () => {
    const spec: FixtureModelSpec = {
      inputs: [
        { name: 'feature_3d', dims: [1, 32, 16, 64, 64] },
        { name: 'kp_driving', dims: [1, 21, 3] },
        { name: 'kp_source', dims: [1, 21, 3] },
      ],
      outputs: [{ name: 'out', dims: [1, 3, 512, 512] }],
      work: { input: 'feature_3d', layers: 1, channels: 4, liveportraitWarp: true },
      opset: 20,
    };
    const model = buildFixtureModel(spec);
    const samples = nodes(model).filter((n) => n.opType === 'GridSample');
    expect(samples.map((n) => n.input)).toEqual([
      ['feature_3d', 'lpw_grid'],
      ['lpw_heat', 'lpw_deform_grid'],
    ]);
    expect(nodes(model).find((n) => n.opType === 'Reshape')?.input).toEqual(['lpw_warped', 'work_fold']);
    // The flows are expanded from one 64×64 pattern: the file grows by that, not by 22 full flows.
    const plain = buildFixtureModel({ ...spec, work: { input: 'feature_3d', layers: 1, channels: 4 } });
    expect(model.length - plain.length).toBeLessThan(64 * 64 * 3 * 4 + 2000);
    const session = await createSession(model, { id: 'warping_spade', providers: ['cpu'], log });
    const out = await session.run({
      feature_3d: new ort.Tensor(
        'float32',
        new Float32Array(32 * 16 * 64 * 64).fill(0.5),
        [1, 32, 16, 64, 64],
      ),
      kp_driving: new ort.Tensor('float32', new Float32Array(63), [1, 21, 3]),
      kp_source: new ort.Tensor('float32', new Float32Array(63), [1, 21, 3]),
    });
    expect(out.out?.dims).toEqual([1, 3, 512, 512]);
    await session.release();
    expect(() => buildFixtureModel({ ...spec, opset: 17 })).toThrow(
      'work: liveportraitWarp needs "feature_3d" as [1,32,16,64,64] and opset ≥ 20',
    );
  });

  it('should give an output fixed values when asked, whatever the input', async () => {
    const spec: FixtureModelSpec = {
      inputs: [{ name: 'input', dims: [1, 3, 4, 4] }],
      outputs: [
        { name: 'points', dims: [1, 4], values: [0.25, 0.5, 0.75, 1] },
        { name: 'other', dims: [1, 2] },
      ],
    };
    const session = await createSession(buildFixtureModel(spec), { id: 'values', providers: ['cpu'], log });
    for (const fill of [0, 0.9]) {
      const out = await session.run({
        input: new ort.Tensor('float32', new Float32Array(48).fill(fill), [1, 3, 4, 4]),
      });
      expect(Array.from((out.points?.data ?? []) as Float32Array)).toEqual([0.25, 0.5, 0.75, 1]);
    }
    await session.release();
    expect(() =>
      buildFixtureModel({ ...spec, outputs: [{ name: 'points', dims: [1, 4], values: [1, 2, 3] }] }),
    ).toThrow('Output "points": values must be 4 float32 numbers for 1×4');
  });

  it('should say what is wrong with a work spec', () => {
    const build =
      (w: FixtureModelSpec['work'], inputs = io.inputs) =>
      () =>
        buildFixtureModel({ ...io, inputs, work: w });
    expect(build({ input: 'nope', layers: 1, channels: 1 })).toThrow('work: there is no input "nope"');
    expect(build({ input: 'input', layers: 0, channels: 4 })).toThrow(
      new RangeError('work: layers must be an integer ≥ 1 (got 0)'),
    );
    expect(build({ input: 'input', layers: 1, channels: 4, stride: 1.5 })).toThrow(
      'stride must be an integer',
    );
    expect(build({ input: 'input', layers: 1, channels: 4 }, [{ name: 'input', dims: [1, 512] }])).toThrow(
      'work: input "input" must be float32 [N, C, H, W] with a fixed C, or [N, C, D, H, W]',
    );
  });
});

describe(buildGridSample5dModel.name, () => {
  it('should run a 5-D GridSample on the CPU provider: an identity grid returns the volume', async () => {
    // 2×2×2 volume; with align_corners 0 voxel i of n sits at (2i + 1)/n − 1 = ±0.5.
    const session = await createSession(buildGridSample5dModel([1, 1, 2, 2, 2], [1, 2, 2, 2, 3]), {
      id: 'grid_sample',
      providers: ['cpu'],
      log,
    });
    const grid = new Float32Array(24);
    let o = 0;
    for (const z of [-0.5, 0.5])
      for (const y of [-0.5, 0.5]) for (const x of [-0.5, 0.5]) grid.set([x, y, z], o++ * 3);
    const volume = Float32Array.from({ length: 8 }, (_, i) => i * 10);
    const { y } = await session.run({
      x: new ort.Tensor('float32', volume, [1, 1, 2, 2, 2]),
      grid: new ort.Tensor('float32', grid, [1, 2, 2, 2, 3]),
    });
    expect(Array.from(y?.data as Float32Array)).toEqual(Array.from(volume));
    // Half way between voxels 0 and 1 along x (grid x = 0): their mean.
    grid[0] = 0;
    const half = await session.run({
      x: new ort.Tensor('float32', volume, [1, 1, 2, 2, 2]),
      grid: new ort.Tensor('float32', grid, [1, 2, 2, 2, 3]),
    });
    expect(Array.from((half.y?.data ?? []) as Float32Array)[0]).toBeCloseTo(5, 5);
    await session.release();
  });
});

describe(readInitializer.name, () => {
  it("should read the last initializer (inswapper's emap) and one by name", async () => {
    const emap = await readInitializer(inswapperLike);
    expect(emap.name).toBe('emap');
    expect(emap.dims).toEqual([512, 512]);
    expect(emap.data[0]).toBe(1);
    expect(emap.data[1]).toBe(0);
    expect(emap.data[513]).toBe(1);
    const pattern = await readInitializer(inswapperLike, 'pattern_0');
    expect(pattern.data[0]).toBeCloseTo(0.5 * Math.sin(0.7), 6);
  });

  it('should say what is wrong with a missing name or a file that is not ONNX', async () => {
    await expect(readInitializer(inswapperLike, 'nope')).rejects.toThrow(
      'The model has no initializer named "nope"',
    );
    await expect(readInitializer(new TextEncoder().encode('not a model at all'))).rejects.toThrow(
      /^Not a readable ONNX model/,
    );
  });
});
