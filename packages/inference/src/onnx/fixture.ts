// Builds small ONNX models for tests: the same input/output names, shapes and element types as a
// real model, deterministic weights, and outputs that depend on the inputs, so a plugin's whole
// pipeline can run end to end without the real (large, downloadable) weights.
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
   * `identity:<input name>` copies an input of the same shape (e.g. an enhancer that returns its
   * image); otherwise the output is a deterministic pattern plus a term that follows the inputs.
   */
  compute?: `identity:${string}`;
}

export interface FixtureModelSpec {
  inputs: TensorSignature[];
  outputs: FixtureOutput[];
  /** Extra constant tensors appended to the graph (e.g. inswapper's 512×512 emap, last). */
  initializers?: { name: string; dims: number[]; data: Float32Array }[];
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

  spec.outputs.forEach((output, o) => {
    if (output.compute?.startsWith('identity:')) {
      nodes.push(node('Identity', [output.compute.slice('identity:'.length)], [output.name]));
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
