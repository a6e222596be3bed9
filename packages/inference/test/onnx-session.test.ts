import { describe, expect, it } from 'vitest';
import { buildFixtureModel } from '../src/onnx/fixture.ts';
import { readInitializer } from '../src/onnx/reader.ts';
import { createSession, FeedError, ort } from '../src/session/session.ts';

const warnings: string[] = [];
const log = { warn: (_: object, msg: string) => warnings.push(msg), debug: () => undefined };

// The inswapper_128 contract (face.md): target [1,3,128,128] + source [1,512] → output [1,3,128,128].
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

  it('should fall back to the next provider when one fails, and record why', async () => {
    warnings.length = 0;
    const session = await createSession(inswapperLike, {
      id: 'inswapper_128',
      providers: ['coreml', 'cpu'],
      log,
    });
    if (process.platform === 'darwin') {
      expect(['coreml', 'cpu']).toContain(session.provider);
    } else {
      expect(session.provider).toBe('cpu');
      expect(session.fallbacks).toEqual([{ provider: 'coreml', reason: expect.stringContaining('coreml') }]);
      expect(warnings[0]).toBe('inswapper_128: coreml execution provider failed; trying cpu');
    }
    await session.release();
  });

  it('should say which providers failed when none loads', async () => {
    const onlyCoreml = process.platform === 'darwin' ? [] : (['coreml'] as const);
    if (onlyCoreml.length === 0) return; // every provider loads on a Mac
    await expect(createSession(inswapperLike, { id: 'x', providers: onlyCoreml, log })).rejects.toThrow(
      /^x: could not create a session on coreml: /,
    );
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
