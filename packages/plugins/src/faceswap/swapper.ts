// The swapper a job uses, whatever its family (docs/models/face.md §5): the model session, its crop
// (size, template, normalisation), how its output becomes pixels, and how an identity becomes its
// `source` feed. acquire.ts loads it (loadSwapper); swap.ts runs it.
import { type ModelLease, ModelMissingError, type ModelSession, ort } from '@visage/inference';
import type { Preprocess } from '@visage/inference/models';
import { type Acquire, acquireIfInstalled, type LeaseSet } from '../leases.ts';
import {
  AUTO_FALLBACK_SWAPPERS,
  AUTO_SWAPPERS,
  CONVERTER_MODELS,
  SWAPPER_MODELS,
  type SwapperModel,
} from './model-ids.ts';
import { FACESWAP_MODEL_SET } from './models.ts';
import { l2Normalize } from './recognize.ts';
import { EMBEDDING_SIZE, loadEmap, sourceLatent } from './swap.ts';

export type SwapperFamily = 'inswapper' | 'hyperswap' | 'ghost' | 'simswap';
type Template = NonNullable<Preprocess['template']>;
type ConverterModel = (typeof CONVERTER_MODELS)[keyof typeof CONVERTER_MODELS];

export interface SwapperFamilyFacts {
  /** The embedding converter the family's `source` is made with (FaceFusion's `embedding_converter`). */
  converter: ConverterModel | null;
  /**
   * FaceFusion's `normalize_crop_frame`: ghost and HyperSwap give their output in the input's
   * normalised range (x·std + mean undoes it); inswapper and SimSwap are read as RGB 0..1 as they are
   * (for simswap_256 without undoing its ImageNet mean/std, as FaceFusion does). Then clip, ×255.
   */
  denormalizeOutput: boolean;
  /**
   * Past the frame's edge when warping the crop: black for inswapper (insightface's norm_crop, its
   * reference), the edge replicated for the others (FaceFusion's warp, their reference); §4.3.
   */
  border: 'constant' | 'replicate';
}

/** Per family (docs/models/face.md §5.6, FaceFusion face_swapper/core.py). */
export const SWAPPER_FAMILIES: Readonly<Record<SwapperFamily, SwapperFamilyFacts>> = {
  inswapper: { converter: null, denormalizeOutput: false, border: 'constant' },
  hyperswap: { converter: null, denormalizeOutput: true, border: 'replicate' },
  ghost: { converter: CONVERTER_MODELS.ghost, denormalizeOutput: true, border: 'replicate' },
  simswap: { converter: CONVERTER_MODELS.simswap, denormalizeOutput: false, border: 'replicate' },
};

/** Every swapper: its family and catalog entry, whose `preprocess` has its size, template and mean/std. */
const SWAPPERS: Record<SwapperModel, { family: SwapperFamily; preprocess: Preprocess }> = {
  inswapper_128: { family: 'inswapper', preprocess: FACESWAP_MODEL_SET.swapper.preprocess },
  hyperswap_1a_256: { family: 'hyperswap', preprocess: FACESWAP_MODEL_SET.hyperswap_1a_256.preprocess },
  hyperswap_1b_256: { family: 'hyperswap', preprocess: FACESWAP_MODEL_SET.hyperswap_1b_256.preprocess },
  hyperswap_1c_256: { family: 'hyperswap', preprocess: FACESWAP_MODEL_SET.hyperswap_1c_256.preprocess },
  ghost_1_256: { family: 'ghost', preprocess: FACESWAP_MODEL_SET.ghost_1_256.preprocess },
  ghost_2_256: { family: 'ghost', preprocess: FACESWAP_MODEL_SET.ghost_2_256.preprocess },
  ghost_3_256: { family: 'ghost', preprocess: FACESWAP_MODEL_SET.ghost_3_256.preprocess },
  simswap_256: { family: 'simswap', preprocess: FACESWAP_MODEL_SET.simswap_256.preprocess },
  simswap_unofficial_512: {
    family: 'simswap',
    preprocess: FACESWAP_MODEL_SET.simswap_unofficial_512.preprocess,
  },
};

export interface SwapperSpec extends SwapperFamilyFacts {
  id: SwapperModel;
  family: SwapperFamily;
  /** The model's crop: size (128, 256 or 512), template and input normalisation (catalog `preprocess`). */
  preprocess: Preprocess & { template: Template };
}

/** The family table and catalog entry of a swapper, in one object. */
export function swapperSpec(id: SwapperModel): SwapperSpec {
  const row = SWAPPERS[id];
  if (!row) throw new Error(`Unknown swapper "${id}" (known: ${SWAPPER_MODELS.join(', ')})`);
  const { template } = row.preprocess;
  if (!template) throw new Error(`The catalog entry of ${id} names no alignment template`);
  return {
    id,
    family: row.family,
    ...SWAPPER_FAMILIES[row.family],
    preprocess: { ...row.preprocess, template },
  };
}

export interface LoadedSwapper extends SwapperSpec {
  readonly session: ModelSession;
  /** Whether the `auto` choice picked it (for the job's record). */
  readonly auto: boolean;
  /** The embedding converter's catalog id, for ghost and SimSwap. */
  readonly converterId: ConverterModel | null;
  /**
   * The `source` feed for an identity, given as `meanIdentity` of the raw ArcFace w600k_r50 embeddings
   * of its photos: their normalised mean (docs/models/face.md §4.5, §5.6). A raw mean would give the
   * same feed with the real files: every family either normalises it first or feeds the converter,
   * which normalises its input itself.
   */
  sourceFeed(rawIdentity: Float32Array): Promise<Float32Array>;
}

function checkEmbedding(what: string, v: Float32Array): void {
  if (v.length !== EMBEDDING_SIZE) {
    throw new RangeError(`${what}: expected a ${EMBEDDING_SIZE}-d embedding, got ${v.length} values`);
  }
}

/**
 * A CrossFace converter's output for an embedding: input `input` [1,512] float32, the first output
 * [1,512] (FaceFusion's `forward_convert_embedding`).
 */
export async function convertEmbedding(
  converter: ModelSession,
  embedding: Float32Array,
): Promise<Float32Array> {
  checkEmbedding('convertEmbedding', embedding);
  const outputs = await converter.run({
    input: new ort.Tensor('float32', embedding, [1, EMBEDDING_SIZE]),
  });
  const first = converter.outputs[0]?.name;
  const output = first === undefined ? undefined : outputs[first];
  if (output?.type !== 'float32' || output.data.length !== EMBEDDING_SIZE) {
    throw new Error(
      `The embedding converter ${converter.id} returned ${output ? `${output.type} ${output.dims.join('×')}` : 'nothing'}, expected float32 1×512`,
    );
  }
  return output.data as Float32Array;
}

type Feed = (raw: Float32Array) => Promise<Float32Array>;

/** The family's `source` maths (FaceFusion's `prepare_source_embedding`), docs/models/face.md §5.6. */
async function feedFor(
  family: SwapperFamily,
  lease: ModelLease,
  converter: ModelSession | null,
): Promise<Feed> {
  if (family === 'inswapper') {
    // raw·emap/‖raw‖, normalised again (insightface; FaceFusion skips that step, which only rescales).
    const emap = await loadEmap(lease.location.path);
    return async (raw) => sourceLatent(raw, emap);
  }
  // The normalised embedding, no emap.
  if (family === 'hyperswap') return async (raw) => l2Normalize(raw);
  if (!converter) throw new Error(`A ${family} swapper needs its embedding converter`);
  // ghost: the converter's output as it is; SimSwap: normalised.
  if (family === 'ghost') return (raw) => convertEmbedding(converter, raw);
  return async (raw) => l2Normalize(await convertEmbedding(converter, raw));
}

/** Throws unless the session takes `target` [1,3,S,S] and `source` [1,512] (fed by name, as FaceFusion does). */
function checkSwapperInputs(spec: SwapperSpec, session: ModelSession): void {
  const names = session.inputs.map((i) => i.name);
  const target = session.inputs.find((i) => i.name === 'target');
  const source = session.inputs.find((i) => i.name === 'source');
  if (!target || !source) {
    throw new Error(
      `${spec.id} takes the inputs ${names.join(', ')}; a face swapper needs "target" and "source"`,
    );
  }
  const size = spec.preprocess.size;
  const fits = (shape: readonly (number | string)[], want: number[]) =>
    shape.length === want.length && shape.every((d, k) => typeof d !== 'number' || d === want[k]);
  if (!fits(target.shape, [1, 3, size, size])) {
    throw new Error(
      `${spec.id}: its "target" input is [${target.shape.join(',')}], expected [1,3,${size},${size}]`,
    );
  }
  if (!fits(source.shape, [1, EMBEDDING_SIZE])) {
    throw new Error(
      `${spec.id}: its "source" input is [${source.shape.join(',')}], expected [1,${EMBEDDING_SIZE}]`,
    );
  }
}

async function load(
  leases: LeaseSet,
  id: SwapperModel,
  swapperLease: ModelLease,
  converterLease: ModelLease | null,
  auto: boolean,
): Promise<LoadedSwapper> {
  const spec = swapperSpec(id);
  const session = leases.take(swapperLease, 'swapper');
  const converter = converterLease ? leases.take(converterLease, 'converter') : null;
  checkSwapperInputs(spec, session);
  if (converter && !converter.inputs.some((i) => i.name === 'input')) {
    throw new Error(
      `${converter.id} takes the inputs ${converter.inputs.map((i) => i.name).join(', ')}; an embedding converter needs "input"`,
    );
  }
  const feed = await feedFor(spec.family, swapperLease, converter);
  return {
    ...spec,
    session,
    auto,
    converterId: spec.converter,
    sourceFeed: async (raw) => {
      checkEmbedding(`${id} source`, raw);
      return feed(raw);
    },
  };
}

/** `auto`'s order: the permissive swappers, then the others (model-ids.ts). */
export const AUTO_SWAPPER_ORDER: readonly SwapperModel[] = [...AUTO_SWAPPERS, ...AUTO_FALLBACK_SWAPPERS];

/** No swapper `auto` could use is installed: says what it tried and what to pull. */
export class NoSwapperInstalledError extends ModelMissingError {
  constructor(missing: readonly string[]) {
    super(missing.map((id) => ({ id, state: 'missing' as const })));
    this.message =
      `No face swapper is installed for swapper "auto" (it takes the first installed of ${AUTO_SWAPPER_ORDER.join(', ')}; ` +
      `ghost and SimSwap also need their embedding converter). ${this.message}`;
  }
}

/**
 * The swapper `choice` names (and its converter), or with `auto` the first of AUTO_SWAPPER_ORDER whose
 * files are all installed. The leases are kept in `leases` ('swapper', 'converter').
 */
export async function loadSwapper(
  leases: LeaseSet,
  acquire: Acquire,
  choice: 'auto' | SwapperModel,
): Promise<LoadedSwapper> {
  if (choice !== 'auto') {
    const converterId = swapperSpec(choice).converter;
    const swapperLease = await acquire(choice);
    let converterLease: ModelLease | null = null;
    try {
      converterLease = converterId ? await acquire(converterId) : null;
    } catch (error) {
      swapperLease.release();
      throw error;
    }
    return load(leases, choice, swapperLease, converterLease, false);
  }
  for (const id of AUTO_SWAPPER_ORDER) {
    const converterId = swapperSpec(id).converter;
    const swapperLease = await acquireIfInstalled(acquire, id);
    if (!swapperLease) continue;
    let converterLease: ModelLease | null = null;
    try {
      converterLease = converterId ? await acquireIfInstalled(acquire, converterId) : null;
    } catch (error) {
      swapperLease.release();
      throw error;
    }
    // Without its converter the swapper cannot run: try the next one.
    if (converterId && !converterLease) {
      swapperLease.release();
      continue;
    }
    return load(leases, id, swapperLease, converterLease, true);
  }
  const [first] = AUTO_SWAPPER_ORDER as [SwapperModel];
  const converterId = swapperSpec(first).converter;
  throw new NoSwapperInstalledError(converterId ? [first, converterId] : [first]);
}
