// Which external data files an ONNX graph refers to: the tensors whose `external_data` entries name a
// `location` (a file relative to the model's folder, where ONNX Runtime looks for it) with an offset
// and length. Models over 2 GB must store their weights this way (docs/models/wan.md §9.2).
//
// The file is walked as protobuf wire format rather than decoded whole: only the messages that can
// hold tensors are entered (model → graph/function → node → attribute → tensor, sparse tensors,
// subgraphs) and every other field is skipped by its length, so a model whose weights are inline
// (hundreds of MB) costs a few small reads, and nothing of it is kept in memory. The small
// `external_data` entries themselves are decoded with onnx-proto.
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { DataType, onnx } from './proto.ts';

export interface ExternalDataRef {
  /** The tensor's name. */
  tensor: string;
  /** The data file as the graph records it, relative to the model's folder. */
  location: string;
  offset: number;
  /** Bytes of the tensor in the file; null when neither recorded nor computable from type and dims. */
  length: number | null;
}

/** A protobuf message cannot exceed 2 GB, so a larger .onnx is not scanned (it holds no references). */
export const MAX_SCANNED_MODEL_BYTES = 2 ** 31;

type Kind = 'model' | 'graph' | 'function' | 'node' | 'attribute' | 'sparse' | 'tensor';

// Field numbers from onnx.proto (the same as onnx-proto's decoders): the fields that lead to tensors.
const CHILDREN: Record<Exclude<Kind, 'tensor'>, Record<number, Kind>> = {
  model: { 7: 'graph', 25: 'function' },
  graph: { 1: 'node', 5: 'tensor', 15: 'sparse' },
  function: { 7: 'node' },
  node: { 5: 'attribute' },
  attribute: { 5: 'tensor', 6: 'graph', 10: 'tensor', 11: 'graph', 22: 'sparse', 23: 'sparse' },
  sparse: { 1: 'tensor', 2: 'tensor' },
};
const TENSOR = { dims: 1, dataType: 2, name: 8, externalData: 13, dataLocation: 14 } as const;
const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** Bytes per element, for a reference that records no length (8-bit floats are types 17–20). */
const ELEMENT_BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4,
  [DataType.UINT8]: 1,
  [DataType.INT8]: 1,
  [DataType.UINT16]: 2,
  [DataType.INT16]: 2,
  [DataType.INT32]: 4,
  [DataType.INT64]: 8,
  [DataType.BOOL]: 1,
  [DataType.FLOAT16]: 2,
  [DataType.DOUBLE]: 8,
  [DataType.UINT32]: 4,
  [DataType.UINT64]: 8,
  [DataType.COMPLEX64]: 8,
  [DataType.COMPLEX128]: 16,
  [DataType.BFLOAT16]: 2,
  17: 1,
  18: 1,
  19: 1,
  20: 1,
};

class NotOnnxError extends Error {
  override name = 'NotOnnxError';
}

/** The file is not an ONNX model the walk can read (e.g. random bytes, or cut short). */
export class OnnxReadError extends Error {
  override name = 'OnnxReadError';
}

/**
 * Positional reads through one 64 KiB window. `ensure` returns a promise only when the window must
 * move, so walking the many small fields of a graph costs no await per field.
 */
class Cursor {
  #window = Buffer.alloc(1 << 16);
  #start = 0;
  #end = 0;

  constructor(
    readonly file: FileHandle,
    readonly size: number,
  ) {}

  /** Makes bytes [at, at + count) (clipped to the file) readable with `view`/`varint`. */
  ensure(at: number, count: number): Promise<void> | null {
    const wanted = Math.min(count, this.size - at);
    if (at >= this.#start && at + wanted <= this.#end) return null;
    return this.#fill(at, wanted);
  }

  async #fill(at: number, count: number): Promise<void> {
    if (count > this.#window.length) this.#window = Buffer.alloc(count);
    const { bytesRead } = await this.file.read(this.#window, 0, this.#window.length, at);
    this.#start = at;
    this.#end = at + bytesRead;
    if (bytesRead < count) throw new NotOnnxError(`it ends inside a field at byte ${at}`);
  }

  /** Bytes [at, at + count), after `ensure`; valid until the window moves. */
  view(at: number, count: number): Uint8Array {
    if (at < this.#start || at + count > this.#end) throw new NotOnnxError(`it ends at byte ${this.#end}`);
    return this.#window.subarray(at - this.#start, at - this.#start + count);
  }

  /** A varint at `at`, after `ensure(at, 10)` (a number: lengths and dims fit in 53 bits), and where the next field starts. */
  varint(at: number): [value: number, next: number] {
    let value = 0;
    for (let i = at, scale = 1; i < this.#end && i < at + 10; i++, scale *= 128) {
      const byte = this.#window[i - this.#start] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return [value, i + 1];
    }
    throw new NotOnnxError(`bad varint at byte ${at}`);
  }
}

interface TensorFields {
  name: string;
  dims: number[];
  dataType: number;
  external: boolean;
  entries: Map<string, string>;
}

/** Walks the fields in [start, end) of a message of `kind`, collecting external tensors into `out`. */
async function walk(cursor: Cursor, kind: Kind, start: number, end: number, out: ExternalDataRef[]) {
  const tensor: TensorFields | null =
    kind === 'tensor' ? { name: '', dims: [], dataType: 0, external: false, entries: new Map() } : null;
  let at = start;
  while (at < end) {
    // A tag (≤ 5 bytes for ONNX's field numbers) and the varint after it (≤ 10) fit in 15 bytes.
    const moving = cursor.ensure(at, 15);
    if (moving) await moving;
    const [tag, afterTag] = cursor.varint(at);
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      const [value, next] = cursor.varint(afterTag);
      if (tensor && field === TENSOR.dims) tensor.dims.push(value);
      if (tensor && field === TENSOR.dataType) tensor.dataType = value;
      if (tensor && field === TENSOR.dataLocation) tensor.external = value === EXTERNAL;
      at = next;
    } else if (wire === 1 || wire === 5) {
      at = afterTag + (wire === 1 ? 8 : 4);
    } else if (wire === 2) {
      const [length, body] = cursor.varint(afterTag);
      at = body + length;
      if (at > end) throw new NotOnnxError(`a field at byte ${afterTag} runs past its message`);
      const child = kind === 'tensor' ? undefined : CHILDREN[kind][field];
      if (child) await walk(cursor, child, body, at, out);
      else if (tensor) await readTensorField(cursor, tensor, field, body, length);
    } else {
      throw new NotOnnxError(`unexpected wire type ${wire} at byte ${at}`);
    }
  }
  if (at !== end) throw new NotOnnxError(`a field runs past byte ${end}`);
  if (tensor?.external) out.push(toRef(tensor));
}

async function readTensorField(
  cursor: Cursor,
  tensor: TensorFields,
  field: number,
  at: number,
  length: number,
): Promise<void> {
  if (field !== TENSOR.name && field !== TENSOR.externalData && field !== TENSOR.dims) return;
  const moving = cursor.ensure(at, length);
  if (moving) await moving;
  const bytes = cursor.view(at, length);
  if (field === TENSOR.name) tensor.name = Buffer.from(bytes).toString('utf8');
  else if (field === TENSOR.externalData) {
    const entry = onnx.StringStringEntryProto.decode(bytes);
    tensor.entries.set(entry.key, entry.value);
  } else {
    // Packed dims: consecutive varints.
    for (let p = at; p < at + length; ) {
      const [value, next] = cursor.varint(p);
      tensor.dims.push(value);
      p = next;
    }
  }
}

function toRef(tensor: TensorFields): ExternalDataRef {
  const location = tensor.entries.get('location');
  if (!location) throw new NotOnnxError(`tensor "${tensor.name}" is external but names no location`);
  const recorded = tensor.entries.get('length');
  const element = ELEMENT_BYTES[tensor.dataType];
  const computed = element === undefined ? null : tensor.dims.reduce((n, d) => n * d, element);
  return {
    tensor: tensor.name,
    location,
    offset: Number(tensor.entries.get('offset') ?? 0),
    length: recorded === undefined ? computed : Number(recorded),
  };
}

/**
 * Every tensor of the model at `modelPath` stored in an external data file, in file order; [] for a
 * model holding its weights inline, or one over {@link MAX_SCANNED_MODEL_BYTES}.
 */
export async function readExternalDataRefs(modelPath: string): Promise<ExternalDataRef[]> {
  const file = await open(modelPath, 'r');
  try {
    const { size } = await file.stat();
    if (size > MAX_SCANNED_MODEL_BYTES) return [];
    const out: ExternalDataRef[] = [];
    await walk(new Cursor(file, size), 'model', 0, size, out);
    return out;
  } catch (error) {
    if (!(error instanceof NotOnnxError)) throw error;
    throw new OnnxReadError(`${modelPath} is not a readable ONNX model: ${error.message}`, { cause: error });
  } finally {
    await file.close();
  }
}

/** One data file a graph refers to, with the bytes its tensors need. */
export interface ReferencedDataFile {
  /** As the graph records it. */
  location: string;
  /** Where ONNX Runtime will look for it: `location` in the model's folder. */
  path: string;
  /** The end of the furthest tensor in it (offset + length): the file must hold at least this much. */
  minBytes: number;
  tensors: number;
}

/** The references grouped by data file, in the order the graph first names them. */
export function referencedDataFiles(
  modelPath: string,
  refs: readonly ExternalDataRef[],
): ReferencedDataFile[] {
  const files = new Map<string, ReferencedDataFile>();
  for (const ref of refs) {
    let file = files.get(ref.location);
    if (!file) {
      file = {
        location: ref.location,
        path: path.join(path.dirname(modelPath), ref.location),
        minBytes: 0,
        tensors: 0,
      };
      files.set(ref.location, file);
    }
    file.minBytes = Math.max(file.minBytes, ref.offset + (ref.length ?? 0));
    file.tensors++;
  }
  return [...files.values()];
}

/** True when `location` names a file inside the model's folder (ONNX Runtime refuses any other). */
export function isInsideModelFolder(location: string): boolean {
  const normal = path.normalize(location);
  return !path.isAbsolute(location) && normal !== '..' && !normal.startsWith(`..${path.sep}`);
}
