// Fixture models for the wan plugin (docs/models/wan.md §9.7): the exact I/O of the contracts in
// ../wan/contracts.ts (symbolic dims kept symbolic), each a few cheap ops whose outputs really follow
// the inputs' shapes and values, so the whole pipeline (text → sampler → VAE) runs at any tiny size.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findModel } from '@visage/inference/models';
import { DataType, type NodeProto, onnx, type TensorProto } from '@visage/inference/testing';
import { modelCatalog } from '../catalog.ts';
import {
  cacheIn,
  cacheOut,
  DECODER_CACHES,
  LATENT_CHANNELS,
  ROPE_PAIRS,
  T2V_CONTRACTS,
  TEXT_DIM,
  VACE_CHANNELS,
  VACE_CONTRACTS,
  type WanContract,
  type WanTensor,
} from '../wan/contracts.ts';
import { LATENT_MEAN, LATENT_STD } from '../wan/latents.ts';
import { WAN_TOKENIZER_ID } from '../wan/model-ids.ts';

export type WanFixturePart = `vace.${keyof typeof VACE_CONTRACTS}` | `t2v.${keyof typeof T2V_CONTRACTS}`;

/** Catalog id → the fixture part installed under it. */
export const WAN_FIXTURE_IDS = {
  'wan2.1_umt5_xxl': 'vace.textEncoder',
  'wan2.1_vace_1.3b': 'vace.transformer',
  'wan2.1_vae_encoder': 'vace.vaeEncoder',
  'wan2.1_vae_decoder_first': 'vace.vaeDecoderFirst',
  'wan2.1_vae_decoder': 'vace.vaeDecoder',
  'wan2.1_t2v_umt5_xxl': 't2v.textEncoder',
  'wan2.1_t2v_1.3b': 't2v.transformer',
  'wan2.1_t2v_vae_decoder': 't2v.vaeDecoder',
} as const satisfies Record<string, WanFixturePart>;

export type WanFixtureId = keyof typeof WAN_FIXTURE_IDS;

/** The contract a part's fixture implements. */
export function wanFixtureContract(part: WanFixturePart): WanContract {
  const [set, name] = part.split('.') as ['vace' | 't2v', string];
  const contract = (set === 'vace' ? VACE_CONTRACTS : T2V_CONTRACTS)[name as never] as
    | WanContract
    | undefined;
  if (!contract) throw new Error(`No wan fixture part "${part}"`);
  return contract;
}

/**
 * Cache slot i of the fixture decoders: its channels (small, fixed) and its scale over the latent
 * resolution (docs/models/wan.md §6.5: slots 0–11 at the latent size, 12–18 ×2, 19–24 ×4, 25–31 ×8).
 * Slot 0 is the decoder's input latent itself (16 channels), as in the real decoder.
 */
export function wanFixtureCacheSlot(i: number): { channels: number; scale: number } {
  if (!Number.isInteger(i) || i < 0 || i >= DECODER_CACHES) throw new RangeError(`No cache slot ${i}`);
  if (i === 0) return { channels: LATENT_CHANNELS, scale: 1 };
  if (i <= 11) return { channels: 8, scale: 1 };
  if (i <= 18) return { channels: 8, scale: 2 };
  if (i <= 24) return { channels: 4, scale: 4 };
  return { channels: 4, scale: 8 };
}

type AttributeValue = number | readonly number[] | string;

/** A graph under construction: every op gets a fresh output name. */
class Graph {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  #names = 0;

  #name(prefix: string): string {
    return `${prefix}_${this.#names++}`;
  }

  op(opType: string, input: string[], attributes: Record<string, AttributeValue> = {}): string {
    const output = this.#name(opType.toLowerCase());
    const attribute = Object.entries(attributes).map(([name, v]) => {
      const { AttributeType } = onnx.AttributeProto;
      if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
      if (typeof v === 'number') return { name, type: AttributeType.INT, i: v };
      return { name, type: AttributeType.INTS, ints: [...v] };
    });
    this.nodes.push(onnx.NodeProto.create({ opType, input, output: [output], attribute }));
    return output;
  }

  /** Binds graph output `name` to `value`. */
  output(name: string, value: string): void {
    this.nodes.push(onnx.NodeProto.create({ opType: 'Identity', input: [value], output: [name] }));
  }

  floats(dims: number[], data: ArrayLike<number>): string {
    const name = this.#name('const');
    const values = Float32Array.from(data);
    if (values.length !== dims.reduce((n, d) => n * d, 1))
      throw new Error(`Constant ${name}: dims [${dims.join(', ')}] do not hold ${values.length} values`);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: DataType.FLOAT,
        rawData: new Uint8Array(values.buffer),
      }),
    );
    return name;
  }

  scalar(value: number): string {
    return this.floats([], [value]);
  }

  int64s(values: number[]): string {
    const name = this.#name('shape');
    this.initializers.push(
      onnx.TensorProto.create({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values }),
    );
    return name;
  }

  // The few composite steps the fixtures share.

  /**
   * A cache [1, C, 2, h, w] unchanged, but with C unknown to shape inference: otherwise onnxruntime
   * replaces the declared symbolic `cache_i_channels` of the output by the fixture's inferred C.
   */
  hideChannels(cache: string): string {
    // Reshape to its own shape, passed through a Div that shape inference does not follow (free at run time).
    const shape = this.op('Div', [this.op('Shape', [cache]), this.int64s([1, 1, 1, 1, 1])]);
    return this.op('Reshape', [cache, shape]);
  }

  /** 1×1×1 Conv cin → cout over [N, cin, T, H, W]; each output channel's weights sum to `gain` in |·|. */
  mix(x: string, cout: number, cin: number, seed: number, bias = 0, gain = 1): string {
    const weight = pattern(cout * cin, seed);
    for (let o = 0; o < cout; o++) {
      const row = weight.subarray(o * cin, (o + 1) * cin);
      const l1 = row.reduce((sum, w) => sum + Math.abs(w), 0);
      for (let k = 0; k < cin; k++) row[k] = ((row[k] as number) * gain) / l1;
    }
    const b = pattern(cout, seed + 0.5).map((v) => v * bias);
    return this.op('Conv', [x, this.floats([cout, cin, 1, 1, 1], weight), this.floats([cout], b)], {
      kernel_shape: [1, 1, 1],
    });
  }

  /** Nearest-neighbour upsampling of [N, C, T, H, W] by whole factors: output t ← input ⌊t/st⌋. */
  upsample(x: string, [st, sh, sw]: [number, number, number]): string {
    if (st === 1 && sh === 1 && sw === 1) return x;
    return this.op('Resize', [x, '', this.floats([5], [1, 1, st, sh, sw])], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
  }

  reduce(opType: 'ReduceMean' | 'ReduceSum', x: string, axes: number[] | null, keepdims: 0 | 1): string {
    return this.op(opType, axes ? [x, this.int64s(axes)] : [x], { keepdims });
  }

  /** Slice along one axis, [start, end). */
  slice(x: string, axis: number, start: number, end = 2 ** 31 - 1): string {
    return this.op('Slice', [x, this.int64s([start]), this.int64s([end]), this.int64s([axis])]);
  }

  /** A Wan-VAE latent [1, 16, T, h, w] mapped to unit scale: (z − mean)/std per channel (§6.2). */
  normalise(latent: string): string {
    const mean = this.floats([1, LATENT_CHANNELS, 1, 1, 1], LATENT_MEAN);
    const std = this.floats([1, LATENT_CHANNELS, 1, 1, 1], LATENT_STD);
    return this.op('Div', [this.op('Sub', [latent, mean]), std]);
  }

  /**
   * Per-channel summary of a text context [B, L, 4096] → [B, 16, 1, 1, 1]: the sum over the tokens
   * (so rows the plugin forgot to zero show), averaged over 16 groups of 256 features.
   */
  contextSummary(context: string): string {
    const sum = this.reduce('ReduceSum', context, [1], 0);
    const grouped = this.op('Reshape', [sum, this.int64s([0, LATENT_CHANNELS, TEXT_DIM / LATENT_CHANNELS])]);
    const mean = this.reduce('ReduceMean', grouped, [2], 0);
    return this.op('Reshape', [mean, this.int64s([0, LATENT_CHANNELS, 1, 1, 1])]);
  }

  /** timestep [B] (1000·σ) → 0.5·σ as [B, 1, 1, 1, 1]. */
  timestepTerm(timestep: string): string {
    const t = this.op('Reshape', [timestep, this.int64s([-1, 1, 1, 1, 1])]);
    return this.op('Mul', [t, this.scalar(0.5 / 1000)]);
  }

  /** The RGB of a normalised latent [1, 16, T, h, w] → [1, 3, T, h, w], before tanh (gain 2: visible contrast). */
  rgb(z: string): string {
    return this.mix(z, 3, LATENT_CHANNELS, 30, 0.4, 2);
  }
}

/** A fixed, input-independent pattern in [−0.5, 0.5]. */
function pattern(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sin((i + 1) * 0.7 + seed) * 0.5;
  return out;
}

/**
 * UMT5 stand-in: token i's row is a fixed embedding of its id, 0.5·sin(id·f_k + p_k) over the 4096
 * features (any int64 id works, no vocabulary table), plus half the mean embedding of the tokens the
 * mask keeps (attention pooling: every row, padded ones too, depends on the whole prompt).
 */
function textEncoder(g: Graph, masked: boolean): void {
  const freq = new Float32Array(TEXT_DIM);
  const phase = new Float32Array(TEXT_DIM);
  for (let k = 0; k < TEXT_DIM; k++) {
    freq[k] = 0.05 + ((k * 0.6180339887) % 1);
    phase[k] = k * 0.37;
  }
  const id = g.op('Unsqueeze', [g.op('Cast', ['input_ids'], { to: DataType.FLOAT }), g.int64s([2])]);
  const angle = g.op('Add', [g.op('Mul', [id, g.floats([TEXT_DIM], freq)]), g.floats([TEXT_DIM], phase)]);
  const embedding = g.op('Mul', [g.op('Sin', [angle]), g.scalar(0.5)]);
  let pooled: string;
  if (masked) {
    const mask = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: DataType.FLOAT }), g.int64s([2])]);
    const sum = g.reduce('ReduceSum', g.op('Mul', [embedding, mask]), [1], 1);
    const count = g.op('Max', [g.reduce('ReduceSum', mask, [1], 1), g.scalar(1)]);
    pooled = g.op('Div', [sum, count]);
  } else {
    pooled = g.reduce('ReduceMean', embedding, [1], 1);
  }
  g.output('last_hidden_state', g.op('Add', [embedding, g.op('Mul', [pooled, g.scalar(0.5)])]));
}

/**
 * DiT stand-in: velocity = latent − tanh(drive), drive from the conditioning. With v = x − x̂, the
 * flow ODE dx/dσ = v is linear and contracting, so 50 sampler steps stay bounded and the result is
 * 0.63·x̂ + 0.37·noise (the seed still shows); x0 = x − σ·v stays within the inputs' range.
 */
function vaceTransformer(g: Graph, work = 0): void {
  const vace = g.mix('vace_context', LATENT_CHANNELS, VACE_CHANNELS, 10, 0.4);
  // RoPE: one number per token (a fixed mix of its 64 cos and 64 sin), laid on the token grid
  // [T, h/2, w/2] (frame, row, column order) and spread over each 2×2 patch.
  const mixPairs = (table: string, seed: number) => {
    const w = pattern(ROPE_PAIRS, seed);
    const l1 = w.reduce((s, v) => s + Math.abs(v), 0);
    const weights = g.floats(
      [ROPE_PAIRS, 1],
      w.map((v) => v / l1),
    );
    return g.op('MatMul', [table, weights]);
  };
  const perToken = g.op('Add', [mixPairs('rope_cos', 20), mixPairs('rope_sin', 21)]);
  const thw = g.slice(g.op('Shape', ['latent']), 0, 2, 5);
  const grid = g.op('Concat', [g.int64s([1, 1]), g.op('Div', [thw, g.int64s([1, 2, 2])])], { axis: 0 });
  const rope = g.upsample(g.op('Reshape', [perToken, grid]), [1, 2, 2]);
  let drive = g.op('Add', [vace, g.contextSummary('context')]);
  drive = g.op('Add', [drive, g.timestepTerm('timestep')]);
  drive = g.op('Add', [drive, g.op('Mul', [rope, g.scalar(0.5)])]);
  if (work > 0) drive = g.op('Add', [drive, workTerm(g, work)]);
  g.output('velocity', g.op('Sub', ['latent', g.op('Tanh', [drive])]));
}

/**
 * Compute a transformer spends for benchmarks without changing its output measurably: `pairs` ×
 * (context [B, 512, 4096] → 512 → 4096 MatMuls with Tanh), about 4.3 GFLOP per pair per batch item,
 * reduced to a scalar × 1e−12. Weights are the fixed pattern scaled so activations stay in tanh's range.
 */
function workTerm(g: Graph, pairs: number): string {
  let x = 'context';
  for (let i = 0; i < pairs; i++) {
    const down = pattern(TEXT_DIM * 512, 40 + i).map((v) => v / 256);
    const up = pattern(512 * TEXT_DIM, 60 + i).map((v) => v / 32);
    x = g.op('Tanh', [g.op('MatMul', [x, g.floats([TEXT_DIM, 512], down)])]);
    x = g.op('Tanh', [g.op('MatMul', [x, g.floats([512, TEXT_DIM], up)])]);
  }
  return g.op('Mul', [g.reduce('ReduceMean', x, null, 0), g.scalar(1e-12)]);
}

/** T2V DiT stand-in: the same ODE, driven by the text and the timestep only. */
function t2vTransformer(g: Graph): void {
  const bias = g.floats([1, LATENT_CHANNELS, 1, 1, 1], pattern(LATENT_CHANNELS, 40));
  let drive = g.op('Add', [g.contextSummary('encoder_hidden_states'), bias]);
  drive = g.op('Add', [drive, g.timestepTerm('timestep')]);
  g.output('out_sample', g.op('Sub', ['hidden_states', g.op('Tanh', [drive])]));
}

/**
 * VAE encoder stand-in, causal like Wan-VAE's (§6.3–6.4): latent frame 0 from pixel frame 0, frame k
 * from frames 4k−3…4k, each the 8×8 box mean mixed 3 → 16 channels, then scaled to Wan's latent
 * statistics (μ = mean + std·x) so the plugin's normalisation brings it back to unit scale.
 */
function vaeEncoder(g: Graph): void {
  const padded = g.op('Pad', ['video', g.int64s([0, 0, 3, 0, 0, 0, 0, 0, 0, 0])], { mode: 'edge' });
  const pooled = g.op('AveragePool', [padded], { kernel_shape: [4, 8, 8], strides: [4, 8, 8] });
  const x = g.mix(pooled, LATENT_CHANNELS, 3, 50);
  const std = g.floats([1, LATENT_CHANNELS, 1, 1, 1], LATENT_STD);
  const mean = g.floats([1, LATENT_CHANNELS, 1, 1, 1], LATENT_MEAN);
  g.output('latent', g.op('Add', [g.op('Mul', [x, std]), mean]));
}

/** Cache slot i's new frame at latent resolution: the latent itself (slot 0) or tanh of a mix. */
function cacheFrame(g: Graph, latent: string, z: string, i: number): string {
  if (i === 0) return latent;
  return g.op('Tanh', [g.mix(z, wanFixtureCacheSlot(i).channels, LATENT_CHANNELS, 100 + i, 0.4)]);
}

/** First chunk: one pixel frame, and caches in their padded form [zeros, frame] (§6.5). */
function vaeDecoderFirst(g: Graph): void {
  const z = g.normalise('latent');
  g.output('frames', g.upsample(g.op('Tanh', [g.rgb(z)]), [1, 8, 8]));
  for (let i = 0; i < DECODER_CACHES; i++) {
    const frame = cacheFrame(g, 'latent', z, i);
    const padded = g.op('Concat', [g.op('Mul', [frame, g.scalar(0)]), frame], { axis: 2 });
    // Upsampled last, once: at 480×832 the ×8 slots are most of the decoder's work.
    const { scale } = wanFixtureCacheSlot(i);
    g.output(cacheOut(i), g.hideChannels(g.upsample(padded, [1, scale, scale])));
  }
}

/**
 * Steady chunk: four pixel frames (a fixed ramp over time) shifted by a weighted sum of the 32 input
 * caches' means (distinct weights, so a dropped or swapped cache shows); each cache moves on by one
 * frame: out = [in's last frame, this chunk's frame].
 */
function vaeDecoder(g: Graph): void {
  const z = g.normalise('latent');
  let fromCaches = g.scalar(0);
  for (let i = 0; i < DECODER_CACHES; i++) {
    const weight = g.scalar(((i % 2 ? -1 : 1) * (i + 1)) / 64);
    const mean = g.reduce('ReduceMean', cacheIn(i), null, 0);
    fromCaches = g.op('Add', [fromCaches, g.op('Mul', [mean, weight])]);
    const { scale } = wanFixtureCacheSlot(i);
    const frame = g.upsample(cacheFrame(g, 'latent', z, i), [1, scale, scale]);
    const moved = g.op('Concat', [g.slice(cacheIn(i), 2, 1, 2), frame], { axis: 2 });
    g.output(cacheOut(i), g.hideChannels(moved));
  }
  const ramp = g.floats([1, 1, 4, 1, 1], [-0.15, -0.05, 0.05, 0.15]);
  const drive = g.op('Add', [g.op('Add', [g.rgb(z), ramp]), fromCaches]);
  g.output('frames', g.upsample(g.op('Tanh', [drive]), [1, 8, 8]));
}

/** T2V decoder (whole clip): latent frame 0 → 1 pixel frame, each later one → 4 (any T, not only 21). */
function t2vVaeDecoder(g: Graph): void {
  const rgb = g.op('Tanh', [g.rgb(g.normalise('latent_sample'))]);
  // ×4 in time gives 4T frames, frame j from latent ⌊j/4⌋; dropping the first three leaves 1 + 4(T−1).
  g.output('sample', g.slice(g.upsample(rgb, [4, 8, 8]), 2, 3));
}

const BUILDERS: Record<WanFixturePart, (g: Graph, work: number) => void> = {
  'vace.textEncoder': (g) => textEncoder(g, true),
  'vace.transformer': (g, work) => vaceTransformer(g, work),
  'vace.vaeEncoder': vaeEncoder,
  'vace.vaeDecoderFirst': vaeDecoderFirst,
  'vace.vaeDecoder': vaeDecoder,
  't2v.textEncoder': (g) => textEncoder(g, false),
  't2v.transformer': t2vTransformer,
  't2v.vaeDecoder': t2vVaeDecoder,
};

function valueInfo({ name, type, dims }: WanTensor) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: type === 'int64' ? DataType.INT64 : DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

/**
 * The ONNX bytes of one fixture part (deterministic: the same bytes every time). `work` (benchmarks,
 * VACE transformer only) adds that many MatMul pairs of compute that leave the output unchanged.
 */
export function buildWanFixture(part: WanFixturePart, { work = 0 }: { work?: number } = {}): Uint8Array {
  const build = BUILDERS[part];
  if (!build) throw new Error(`No wan fixture part "${part}" (parts: ${Object.keys(BUILDERS).join(', ')})`);
  const contract = wanFixtureContract(part);
  const g = new Graph();
  build(g, work);
  const graph = onnx.GraphProto.create({
    name: `wan_fixture_${part}`,
    node: g.nodes,
    input: contract.inputs.map(valueInfo),
    output: contract.outputs.map(valueInfo),
    initializer: g.initializers,
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'visage-fixture',
    opsetImport: [{ domain: '', version: 18 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

const allIds = () => Object.keys(WAN_FIXTURE_IDS) as WanFixtureId[];

/** A 26-piece tokenizer.json laid out like google/umt5-xxl's (make-tokenizer.mjs beside it writes it). */
export const UMT5_TINY_TOKENIZER = fileURLToPath(
  new URL('./fixtures/umt5-tiny/tokenizer.json', import.meta.url),
);

/** Writes `<dir>/<id>.onnx` for each id (default: all); returns id → file. */
export async function writeWanFixtureModels(
  dir: string,
  ids: readonly WanFixtureId[] = allIds(),
): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const id of ids) {
    const file = path.join(dir, `${id}.onnx`);
    await writeFile(file, buildWanFixture(WAN_FIXTURE_IDS[id]));
    files[id] = file;
  }
  return files;
}

/**
 * Installs fixtures the way the model store keeps them (`<dir>/<id>/<catalog file>`) and writes a
 * catalog file (for VISAGE_MODEL_CATALOG) whose entries are the registered ones with the fixtures'
 * sizes and sha256, like installFixtureModels. Every id must be in the catalog; `entries` lets a
 * caller merge them with other fixtures' into one catalog file.
 */
export async function installWanFixtureModels(
  modelsDir: string,
  ids: readonly WanFixtureId[] = allIds(),
  catalogName = 'wan-fixture-catalog.json',
): Promise<{ catalogFile: string; entries: object[] }> {
  const catalog = modelCatalog();
  const entries = [];
  for (const id of ids) {
    const entry = findModel(id, catalog);
    const bytes = buildWanFixture(WAN_FIXTURE_IDS[id]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const variant = { ...entry.variants[0], file: entry.file, sha256, bytes: bytes.length };
    await mkdir(path.join(modelsDir, id), { recursive: true });
    await writeFile(path.join(modelsDir, id, entry.file), bytes);
    entries.push({ ...entry, sha256, bytes: bytes.length, residentBytes: null, variants: [variant] });
  }
  // The tokenizer the text encoders' prompts go through, as the tiny fixture.
  const tokenizer = findModel(WAN_TOKENIZER_ID, catalog);
  const json = await readFile(UMT5_TINY_TOKENIZER);
  const sha256 = createHash('sha256').update(json).digest('hex');
  await mkdir(path.join(modelsDir, WAN_TOKENIZER_ID), { recursive: true });
  await writeFile(path.join(modelsDir, WAN_TOKENIZER_ID, tokenizer.file), json);
  const variant = { ...tokenizer.variants[0], file: tokenizer.file, sha256, bytes: json.length };
  entries.push({ ...tokenizer, sha256, bytes: json.length, residentBytes: null, variants: [variant] });
  const catalogFile = path.join(modelsDir, catalogName);
  await writeFile(catalogFile, JSON.stringify(entries, null, 2));
  return { catalogFile, entries };
}
