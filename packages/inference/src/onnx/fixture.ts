// Builds small ONNX models for tests: the same input/output names, shapes and element types as a
// real model, deterministic weights, and outputs that depend on the inputs, so a plugin's whole
// pipeline can run end to end without the real (large, downloadable) weights. With `work`, a model
// also runs a stack of 3×3 convolutions, so a run costs milliseconds like a real conv net (for
// pipeline-overhead benchmarks) while its outputs stay (almost) what they would be without it.
import {
  DataType,
  ELEMENT_TYPES,
  type ElementType,
  type NodeProto,
  onnx,
  type TensorProto,
} from './proto.ts';

export interface TensorSignature {
  name: string;
  /** Numbers are fixed sizes; strings are symbolic (dynamic) dimensions like "batch". */
  dims: (number | string)[];
  type?: ElementType;
}

export interface FixtureOutput extends TensorSignature {
  /**
   * The fixed shape this fixture produces (needed when `dims` has symbolic sizes).
   * Defaults to `dims` when all of them are numbers.
   */
  shape?: number[];
  /**
   * `identity:<input name>` copies an input of the same shape bit for bit (e.g. an enhancer that
   * returns its image), `work` or not; otherwise the output is a deterministic pattern plus a term
   * that follows the inputs: the sum of their means (plus the tiny `work` scalar).
   */
  compute?: `identity:${string}`;
  /**
   * Fixed values for this output (float32, its whole shape), not following the inputs: e.g. landmarks
   * at known places in the crop, so a pipeline's geometry can be checked. Not with `compute`.
   */
  values?: readonly number[];
}

/**
 * Compute the model spends without (measurably) changing its outputs, for pipeline benchmarks: from
 * a 4-D float32 NCHW input, `layers` × (3×3 Conv with `channels` outputs, pad 1, bias 0.05, then
 * Relu), ReduceMean to a scalar, × {@link FIXTURE_WORK_SCALE}, added into the scalar that the
 * pattern outputs follow. Each Conv's weights are the fixed sine pattern scaled so an output channel's
 * |weights| sum to 1: activations can neither overflow nor sink into (slow) denormals, and the scalar
 * stays ≤ 1e-6·(max|input| + 0.05·layers), far below a pixel step.
 *
 * Identity outputs stay bit-exact. The branch is kept live by what consumes it: every non-identity
 * output; and when all outputs are identities, the first one is `Where(work > +∞, work, source)`,
 * whose condition is false for every float (NaN too) but is not a constant ORT could fold, so the
 * source comes out bit for bit and the Conv stack still has a consumer. (onnxruntime-node 1.30 runs
 * even an unconsumed branch, measured, but an optimiser that drops dead nodes would take the cost away.)
 *
 * Cost: about 9·channels·(C + channels·(layers − 1))·(H/stride)·(W/stride) multiply-adds for a
 * C-channel H×W input. ORT fuses each Conv+Relu (NCHWc on x86). Tests do not time it; benchmarks do.
 */
export interface FixtureWork {
  /**
   * A float32 input with dims [N, C, H, W], C a fixed number (N, H, W may be symbolic), or a feature
   * volume [N, C, D, H, W] with fixed C, D, H, W (folded to C·D channels).
   */
  input: string;
  /** Number of Conv+Relu layers, ≥ 1. */
  layers: number;
  /** Output channels of every Conv, ≥ 1. */
  channels: number;
  /**
   * Stride of the first Conv only (default 1): 2 or 4 downsample a 512² input so the stack runs
   * at 256² or 128², like an encoder's stem.
   */
  stride?: number;
  /**
   * LivePortrait's W+G only (input [1,32,16,64,64], opset ≥ 20): first run the two 5-D GridSamples of
   * its warping module at their real shapes (docs/models/liveportrait.md §7.1) — the volume warped by a [1,16,64,64,3]
   * flow, and 22 four-channel volumes deformed for the dense-motion network — then the convs over the
   * warped volume. On the CPU these two ops alone cost more than the rest of a light fixture.
   */
  liveportraitWarp?: boolean;
}

/** Factor on the work branch's mean activation before it joins the outputs. */
export const FIXTURE_WORK_SCALE = 1e-6;

export interface FixtureModelSpec {
  inputs: TensorSignature[];
  outputs: FixtureOutput[];
  /** Extra constant tensors appended to the graph (e.g. inswapper's 512×512 emap, last). */
  initializers?: { name: string; dims: number[]; data: Float32Array }[];
  /** Realistic compute: a Conv stack whose result barely touches the outputs (see FixtureWork). */
  work?: FixtureWork;
  opset?: number;
}

function valueInfo({ name, dims, type = 'float32' }: TensorSignature) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPES[type],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function floatTensor(name: string, dims: number[], data: Float32Array): TensorProto {
  // Raw little-endian bytes: compact, and how real exporters store weights.
  const raw = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  return onnx.TensorProto.create({ name, dims, dataType: DataType.FLOAT, rawData: raw });
}

function int64Tensor(name: string, values: number[]): TensorProto {
  return onnx.TensorProto.create({
    name,
    dims: [values.length],
    dataType: DataType.INT64,
    int64Data: values,
  });
}

const node = (opType: string, input: string[], output: string[], attribute: object[] = []): NodeProto =>
  onnx.NodeProto.create({ opType, input, output, attribute });

/** A fixed, input-independent pattern in [-0.5, 0.5] so outputs are not all equal. */
function pattern(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sin((i + 1) * 0.7 + seed) * 0.5;
  return out;
}

const ints = (name: string, values: number[]) => ({
  name,
  type: onnx.AttributeProto.AttributeType.INTS,
  ints: values,
});

// Conv weights [cout, cin, 3, 3]: each output channel's 9·cin taps are the pattern scaled so their
// absolute values sum to 1, and the bias is 0.05. Then |out| ≤ max|in| + 0.05 per layer: no layer can
// overflow, and the bias keeps activations away from denormals (which would make the CPU crawl).
function convWeights(cout: number, cin: number, seed: number): { weight: Float32Array; bias: Float32Array } {
  const taps = cin * 9;
  const weight = pattern(cout * taps, seed);
  for (let o = 0; o < cout; o++) {
    const row = weight.subarray(o * taps, (o + 1) * taps);
    const l1 = row.reduce((sum, w) => sum + Math.abs(w), 0);
    for (let i = 0; i < taps; i++) row[i] = (row[i] ?? 0) / l1;
  }
  return { weight, bias: new Float32Array(cout).fill(0.05) };
}

/** Appends the Conv stack; returns the name of its scaled scalar. */
function addWork(
  spec: FixtureModelSpec,
  work: FixtureWork,
  nodes: NodeProto[],
  initializers: TensorProto[],
): string {
  const { input: name, layers, channels, stride = 1 } = work;
  const input = spec.inputs.find((i) => i.name === name);
  if (!input) throw new Error(`work: there is no input "${name}"`);
  const [, c, d, h, w] = input.dims;
  const volume = input.dims.length === 5 && [c, d, h, w].every((v) => typeof v === 'number');
  if (
    (input.type ?? 'float32') !== 'float32' ||
    !(volume || (input.dims.length === 4 && typeof c === 'number'))
  ) {
    throw new Error(
      `work: input "${name}" must be float32 [N, C, H, W] with a fixed C, or [N, C, D, H, W] with fixed C, D, H, W`,
    );
  }
  for (const [what, v] of [
    ['layers', layers],
    ['channels', channels],
    ['stride', stride],
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`work: ${what} must be an integer ≥ 1 (got ${v})`);
  }
  let x = name;
  let cin = c as number;
  let extra: string | null = null;
  if (work.liveportraitWarp) {
    if (!volume || c !== 32 || d !== 16 || h !== 64 || w !== 64 || (spec.opset ?? 17) < 20) {
      throw new Error(`work: liveportraitWarp needs "${name}" as [1,32,16,64,64] and opset ≥ 20`);
    }
    x = 'lpw_warped';
    extra = addLivePortraitWarp(name, nodes, initializers);
  }
  if (volume) {
    // A feature volume (LivePortrait's [1,32,16,64,64]): fold depth into channels for 2-D convs.
    cin = (c as number) * (d as number);
    initializers.push(int64Tensor('work_fold', [0, cin, h as number, w as number]));
    nodes.push(node('Reshape', [x, 'work_fold'], ['work_folded']));
    x = 'work_folded';
  }
  for (let l = 0; l < layers; l++) {
    const { weight, bias } = convWeights(channels, cin, 100 + l);
    initializers.push(
      floatTensor(`work_w_${l}`, [channels, cin, 3, 3], weight),
      floatTensor(`work_b_${l}`, [channels], bias),
    );
    const s = l === 0 ? stride : 1;
    nodes.push(
      node(
        'Conv',
        [x, `work_w_${l}`, `work_b_${l}`],
        [`work_conv_${l}`],
        [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [s, s])],
      ),
      node('Relu', [`work_conv_${l}`], [`work_relu_${l}`]),
    );
    x = `work_relu_${l}`;
    cin = channels;
  }
  initializers.push(floatTensor('work_scale', [], Float32Array.of(FIXTURE_WORK_SCALE)));
  nodes.push(
    node(
      'ReduceMean',
      [x],
      ['work_mean'],
      [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    ),
  );
  let total = 'work_mean';
  if (extra) {
    nodes.push(node('Add', ['work_mean', extra], ['work_total']));
    total = 'work_total';
  }
  nodes.push(node('Mul', [total, 'work_scale'], ['work']));
  return 'work';
}

/** GridSample as LivePortrait's warping module runs it: trilinear, zeros outside, align_corners 0. */
function gridSample(inputs: string[], output: string): NodeProto {
  const text = (name: string, value: string) => ({
    name,
    type: onnx.AttributeProto.AttributeType.STRING,
    s: new TextEncoder().encode(value),
  });
  return node(
    'GridSample',
    inputs,
    [output],
    [
      text('mode', 'linear'),
      text('padding_mode', 'zeros'),
      { name: 'align_corners', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
    ],
  );
}

/**
 * The two 5-D GridSamples of LivePortrait's warping module at their real shapes: writes `lpw_warped`
 * ([1,32,16,64,64]) and returns the scalar mean of the 22 deformed volumes, to keep that branch live.
 * The flows are one fixed [64,64] pattern in (−0.9, 0.9), expanded, so the file stays small.
 */
function addLivePortraitWarp(volume: string, nodes: NodeProto[], initializers: TensorProto[]): string {
  const base = pattern(64 * 64 * 3, 7).map((v) => Math.max(-0.9, Math.min(0.9, v)));
  initializers.push(
    floatTensor('lpw_flow', [1, 1, 64, 64, 3], base),
    int64Tensor('lpw_flow_shape', [1, 16, 64, 64, 3]),
    int64Tensor('lpw_deform_flow_shape', [22, 16, 64, 64, 3]),
    int64Tensor('lpw_heat_shape', [22, 4, 16, 64, 64]),
    int64Tensor('lpw_slice_starts', [0]),
    int64Tensor('lpw_slice_ends', [4]),
    int64Tensor('lpw_slice_axes', [1]),
  );
  nodes.push(
    node('Expand', ['lpw_flow', 'lpw_flow_shape'], ['lpw_grid']),
    gridSample([volume, 'lpw_grid'], 'lpw_warped'),
    node('Slice', [volume, 'lpw_slice_starts', 'lpw_slice_ends', 'lpw_slice_axes'], ['lpw_slice']),
    node('Expand', ['lpw_slice', 'lpw_heat_shape'], ['lpw_heat']),
    node('Expand', ['lpw_flow', 'lpw_deform_flow_shape'], ['lpw_deform_grid']),
    gridSample(['lpw_heat', 'lpw_deform_grid'], 'lpw_deformed'),
    node(
      'ReduceMean',
      ['lpw_deformed'],
      ['lpw_deformed_mean'],
      [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    ),
  );
  return 'lpw_deformed_mean';
}

/** Encodes the model; feed the bytes to InferenceSession.create or write them to a file. */
export function buildFixtureModel(spec: FixtureModelSpec): Uint8Array {
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];

  // One scalar summarising every input: mean of each, cast to float, added up.
  const means = spec.inputs.map((input, i) => {
    let source = input.name;
    if ((input.type ?? 'float32') !== 'float32') {
      source = `${input.name}__f`;
      nodes.push(
        node(
          'Cast',
          [input.name],
          [source],
          [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: DataType.FLOAT }],
        ),
      );
    }
    const mean = `mean_${i}`;
    nodes.push(
      node(
        'ReduceMean',
        [source],
        [mean],
        [{ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      ),
    );
    return mean;
  });
  let signal = means[0] ?? '';
  for (let i = 1; i < means.length; i++) {
    const sum = `sum_${i}`;
    nodes.push(node('Add', [signal, means[i] ?? ''], [sum]));
    signal = sum;
  }

  const work = spec.work && addWork(spec, spec.work, nodes, initializers);
  if (work) {
    nodes.push(node('Add', [signal, work], ['signal_with_work']));
    signal = 'signal_with_work';
  }
  // With only identity outputs nothing else would consume the work: guard the first one with it.
  let guard = work !== undefined && spec.outputs.every((o) => o.compute?.startsWith('identity:'));

  spec.outputs.forEach((output, o) => {
    if (output.compute?.startsWith('identity:')) {
      const source = output.compute.slice('identity:'.length);
      if (!guard || !work) {
        nodes.push(node('Identity', [source], [output.name]));
        return;
      }
      guard = false;
      // work > +∞ is false for every float, NaN too, so Where returns `source` bit for bit.
      const type = spec.inputs.find((i) => i.name === source)?.type ?? 'float32';
      let alternative = work;
      if (type !== 'float32') {
        alternative = 'work_as_input_type';
        nodes.push(
          node(
            'Cast',
            [work],
            [alternative],
            [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: ELEMENT_TYPES[type] }],
          ),
        );
      }
      initializers.push(floatTensor('work_never_above', [], Float32Array.of(Number.POSITIVE_INFINITY)));
      nodes.push(
        node('Greater', [work, 'work_never_above'], ['work_never']),
        node('Where', ['work_never', alternative, source], [output.name]),
      );
      return;
    }
    if (output.values) {
      const dims = output.shape ?? output.dims.map(Number);
      const count = dims.reduce((n, d) => n * d, 1);
      if (output.values.length !== count || (output.type ?? 'float32') !== 'float32') {
        throw new Error(
          `Output "${output.name}": values must be ${count} float32 numbers for ${dims.join('×')}`,
        );
      }
      initializers.push(floatTensor(`values_${o}`, dims, Float32Array.from(output.values)));
      nodes.push(node('Identity', [`values_${o}`], [output.name]));
      return;
    }
    const type = output.type ?? 'float32';
    const shape =
      output.shape ??
      output.dims.map((d) => {
        if (typeof d !== 'number')
          throw new Error(`Output "${output.name}" has a symbolic dim "${d}": give it a fixed shape`);
        return d;
      });
    const count = shape.reduce((n, d) => n * d, 1);
    initializers.push(
      floatTensor(`pattern_${o}`, shape, pattern(count, o)),
      int64Tensor(`shape_${o}`, shape),
    );
    const follow = `follow_${o}`;
    const float = type === 'float32' ? output.name : `${output.name}__f`;
    if (signal) {
      nodes.push(
        node('Expand', [signal, `shape_${o}`], [follow]),
        node('Add', [follow, `pattern_${o}`], [float]),
      );
    } else {
      nodes.push(node('Identity', [`pattern_${o}`], [float]));
    }
    if (float !== output.name) {
      nodes.push(
        node(
          'Cast',
          [float],
          [output.name],
          [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: ELEMENT_TYPES[type] }],
        ),
      );
    }
  });

  for (const extra of spec.initializers ?? [])
    initializers.push(floatTensor(extra.name, extra.dims, extra.data));

  const graph = onnx.GraphProto.create({
    name: 'visage_fixture',
    node: nodes,
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
    initializer: initializers,
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'visage-fixture',
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * A one-node model: ONNX GridSample (opset 20, trilinear, zeros padding, align_corners 0) over a 5-D
 * volume, as inside LivePortrait's warping module (docs/models/liveportrait.md §7.1). For measuring what the
 * 5-D GridSample costs on a provider, e.g. on the CPU, where a Mac has to run it.
 */
export function buildGridSample5dModel(volume: number[], grid: number[]): Uint8Array {
  if (volume.length !== 5 || grid.length !== 5 || grid[4] !== 3) {
    throw new RangeError('buildGridSample5dModel: volume [N,C,D,H,W] and grid [N,D,H,W,3]');
  }
  const [n, c] = volume;
  const out = [n as number, c as number, grid[1] as number, grid[2] as number, grid[3] as number];
  const graph = onnx.GraphProto.create({
    name: 'grid_sample_5d',
    node: [gridSample(['x', 'grid'], 'y')],
    input: [valueInfo({ name: 'x', dims: volume }), valueInfo({ name: 'grid', dims: grid })],
    output: [valueInfo({ name: 'y', dims: out })],
  });
  const model = onnx.ModelProto.create({
    irVersion: 9,
    producerName: 'visage-fixture',
    opsetImport: [{ domain: '', version: 20 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** A fixture model whose weights live in external data files, as exporters write models over 2 GB. */
export interface ExternalDataFixture {
  /** The .onnx bytes: the graph, recording each moved tensor's location, offset and length. */
  model: Uint8Array;
  /** Each data file's bytes by its recorded name; write them beside the .onnx under these names. */
  data: Map<string, Uint8Array>;
}

/**
 * {@link buildFixtureModel}, with every initializer held as raw bytes (the float weights and patterns)
 * moved to external data files instead, spread round-robin over `locations` (docs/models/wan.md §9.2).
 * Tensors start at 64-byte offsets, as ONNX's own writer aligns them for memory-mapping.
 */
export function buildFixtureModelWithExternalData(
  spec: FixtureModelSpec,
  locations: readonly [string, ...string[]],
): ExternalDataFixture {
  const model = onnx.ModelProto.decode(buildFixtureModel(spec));
  const chunks = new Map<string, { parts: Uint8Array[]; size: number }>(
    locations.map((location) => [location, { parts: [], size: 0 }]),
  );
  let moved = 0;
  for (const tensor of model.graph?.initializer ?? []) {
    const raw = tensor.rawData;
    if (!raw || raw.length === 0) continue;
    const location = locations[moved++ % locations.length] as string;
    const file = chunks.get(location) as { parts: Uint8Array[]; size: number };
    const offset = Math.ceil(file.size / 64) * 64;
    if (offset > file.size) file.parts.push(new Uint8Array(offset - file.size));
    file.parts.push(raw);
    file.size = offset + raw.length;
    tensor.rawData = new Uint8Array(0);
    tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
    tensor.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.length) },
    ].map((entry) => onnx.StringStringEntryProto.create(entry));
  }
  if (moved < locations.length) {
    throw new Error(`${locations.length} data files but only ${moved} initializers to put in them`);
  }
  const data = new Map<string, Uint8Array>();
  for (const [location, file] of chunks) data.set(location, Buffer.concat(file.parts));
  return { model: onnx.ModelProto.encode(model).finish(), data };
}
