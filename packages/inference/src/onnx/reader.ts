// Reads weights straight from an ONNX file. inswapper_128 needs its last graph initializer, the
// 512×512 `emap` matrix, which onnxruntime-node cannot expose (it only runs the graph).
import { readFile } from 'node:fs/promises';
import { DataType, onnx, type TensorProto } from './proto.ts';

export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array;
}

function toFloat32(tensor: TensorProto): Float32Array {
  const count = (tensor.dims ?? []).reduce((n: number, d) => n * Number(d), 1);
  if (tensor.dataType !== DataType.FLOAT) {
    throw new Error(`Initializer "${tensor.name}" is not float32 (ONNX data type ${tensor.dataType})`);
  }
  if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    if (raw.length !== count * 4) {
      throw new Error(
        `Initializer "${tensor.name}" holds ${raw.length} bytes; ${count} floats need ${count * 4}`,
      );
    }
    // Copy: the raw bytes may not be 4-byte aligned inside the file buffer. ONNX is little-endian.
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (tensor.externalData && tensor.externalData.length > 0) {
    throw new Error(
      `Initializer "${tensor.name}" is stored in an external data file, which is not supported`,
    );
  }
  return Float32Array.from(tensor.floatData ?? []);
}

function decode(bytes: Uint8Array) {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(`Not a readable ONNX model: ${(error as Error).message}`, { cause: error });
  }
}

/** A graph initializer by name, or the last one when no name is given (inswapper's emap). */
export async function readInitializer(model: string | Uint8Array, name?: string): Promise<Initializer> {
  const bytes = typeof model === 'string' ? await readFile(model) : model;
  const initializers = decode(bytes).graph?.initializer ?? [];
  const tensor = name === undefined ? initializers.at(-1) : initializers.find((t) => t.name === name);
  if (!tensor) {
    throw new Error(
      name === undefined ? 'The model has no initializers' : `The model has no initializer named "${name}"`,
    );
  }
  return { name: tensor.name ?? '', dims: (tensor.dims ?? []).map(Number), data: toFloat32(tensor) };
}
