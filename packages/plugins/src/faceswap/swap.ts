// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the matrix loop are in bounds by construction
// The face swap of one face (docs/models/face.md §5): the target face is aligned to the swapper's
// template at N·S (S the model's size, N the pixel boost), cut into N² tiles of S² (pixel-boost.ts),
// each swapped with the identity's `source` feed (swapper.ts) and read back per family, the tiles
// interleaved again, optionally colour-matched, and pasted back through FaceFusion's box mask (∧ the
// optional occlusion and region masks), all computed at N·S. Only the pasted rectangle of the frame
// is written. Size, template and normalisation are the catalog entry's `preprocess`.
import {
  type Affine,
  fromCHW,
  invertAffine,
  type ModelSession,
  ort,
  type Picture,
  type Point,
  pasteBack,
  type Rect,
  type RgbImage,
  readInitializer,
} from '@visage/inference';
import type { Preprocess } from '@visage/inference/models';
import { inputDims, inputValues } from '../model-input.ts';
import { PluginInputError } from '../types.ts';
import { alignForModel, type FivePoints } from './align.ts';
import { matchFaceColour } from './colour-match.ts';
import { type BoxMaskSettings, faceMask, intersectMasks, occlusionMask, regionMask } from './masks.ts';
import { mouthKeepMask, mouthMargin, mouthPointsInCrop } from './mouth-mask.ts';
import { explodePixelBoost, implodePixelBoost } from './pixel-boost.ts';
import { l2Normalize } from './recognize.ts';
import type { LoadedSwapper, SwapperSpec } from './swapper.ts';
import type { FaceTemporalState } from './temporal.ts';

export const EMBEDDING_SIZE = 512;
/** The largest crop pixel boost may ask for, N·S (FaceFusion's largest choice, 1024×1024). */
export const MAX_PIXEL_BOOST_SIZE = 1024;

const emaps = new Map<string, Promise<Float32Array>>();

/**
 * The 512×512 `emap` of an inswapper file: its last graph initializer, which onnxruntime cannot
 * expose. Parsing the 554 MB protobuf takes a while, so each file is read once per process.
 */
export function loadEmap(modelPath: string): Promise<Float32Array> {
  let emap = emaps.get(modelPath);
  if (!emap) {
    emap = readInitializer(modelPath).then(({ name, dims, data }) => {
      if (dims.length !== 2 || dims[0] !== EMBEDDING_SIZE || dims[1] !== EMBEDDING_SIZE) {
        throw new Error(
          `${modelPath} is not an inswapper model: its last initializer "${name}" is [${dims.join(',')}], not the 512×512 emap`,
        );
      }
      return data;
    });
    emap.catch(() => emaps.delete(modelPath)); // a failed read is retried next time
    emaps.set(modelPath, emap);
  }
  return emap;
}

/**
 * The `source` feed: normed embedding × emap, L2-normalised again (insightface's INSwapper, the
 * reference for this model; FaceFusion skips the second normalisation, which only rescales).
 */
export function sourceLatent(identity: Float32Array, emap: Float32Array): Float32Array {
  if (identity.length !== EMBEDDING_SIZE || emap.length !== EMBEDDING_SIZE * EMBEDDING_SIZE) {
    throw new RangeError(`sourceLatent: need a ${EMBEDDING_SIZE}-d embedding and a 512×512 emap`);
  }
  const latent = new Float64Array(EMBEDDING_SIZE);
  for (let i = 0; i < EMBEDDING_SIZE; i++) {
    const e = identity[i]!;
    if (e === 0) continue;
    const row = i * EMBEDDING_SIZE;
    for (let j = 0; j < EMBEDDING_SIZE; j++) latent[j] = latent[j]! + e * emap[row + j]!;
  }
  return l2Normalize(Float32Array.from(latent));
}

export interface PasteOptions extends BoxMaskSettings {
  /**
   * Match the swapped face's colour statistics to the target face's before pasting (Visage's own
   * option, off by default: no reference tool does this after inswapper; docs/models/face.md §5.4).
   */
  colorCorrection: boolean;
  /** Pixel boost N (default 1): swap at N·S in N² model runs, N·S ≤ 1024 (docs/models/face.md §5.6). */
  pixelBoost?: number;
  /** Keep the target's own mouth: the paste mask is 0 over it (docs/models/face.md §7.5). */
  mouthMask?: boolean;
}

/** Optional mask models (see masks.ts). */
export interface MaskModels {
  /** XSeg: keeps what covers the face (hands, hair, glasses) from the target. */
  occluder?: ModelSession | null;
  /** BiSeNet: pastes only the face's own regions. */
  parser?: ModelSession | null;
}

export interface SwapResult {
  /** The frame rectangle that may have changed; pixels outside it are untouched. */
  rect: Rect;
  /**
   * The final paste mask (0..1, size², row-major). With no occlusion or region mask it is the cached
   * box mask: read it, never write it.
   */
  mask: Float32Array;
  /** Side of the crop: the model's size × the pixel boost. */
  size: number;
  /** Crop pixel → frame pixel (the inverse of the alignment). */
  cropToFrame: Affine;
}

/** The crop side for pixel boost `n`: n·S, or a PluginInputError when n is not 1.. or n·S > 1024. */
export function pixelBoostSize(swapper: Pick<SwapperSpec, 'id' | 'preprocess'>, n: number): number {
  const size = swapper.preprocess.size;
  if (!Number.isInteger(n) || n < 1) {
    throw new PluginInputError(`Pixel boost must be a whole number from 1 up (got ${n})`);
  }
  if (n * size > MAX_PIXEL_BOOST_SIZE) {
    throw new PluginInputError(
      `Pixel boost ${n} would swap at ${n * size} px with ${swapper.id} (${size} px), over the ${MAX_PIXEL_BOOST_SIZE} px limit: ` +
        `use at most ${Math.floor(MAX_PIXEL_BOOST_SIZE / size)} with this swapper`,
    );
  }
  return n * size;
}

/** How the swapper's output is read: its own normalisation undone, or RGB 0..1 as it is (§5.6). */
function outputNormalize(
  swapper: Pick<SwapperSpec, 'denormalizeOutput' | 'preprocess'>,
): Preprocess['normalize'] {
  return swapper.denormalizeOutput
    ? swapper.preprocess.normalize
    : { channelOrder: 'rgb', scale: 1 / 255, mean: 0, std: 1 };
}

/** One model run on an S² tile: `target` and `source` by name, the first output by position. */
async function swapTile(swapper: LoadedSwapper, tile: RgbImage, feed: Float32Array): Promise<RgbImage> {
  const { preprocess, id } = swapper;
  const size = preprocess.size;
  const target = inputValues(tile, preprocess);
  const outputs = await swapper.session.run({
    target: new ort.Tensor('float32', target, inputDims(preprocess)),
    source: new ort.Tensor('float32', feed, [1, EMBEDDING_SIZE]),
  });
  // The first declared output; HyperSwap's second, a mask, FaceFusion leaves unused (§5.6).
  const first = swapper.session.outputs[0]?.name;
  const output = first === undefined ? undefined : outputs[first];
  const dims = output?.dims.join('×');
  if (output?.type !== 'float32' || dims !== `1×3×${size}×${size}`) {
    throw new Error(
      `${id} returned ${output ? `${output.type} ${dims}` : 'nothing'}, expected float32 1×3×${size}×${size}`,
    );
  }
  return fromCHW(output.data as Float32Array, size, size, outputNormalize(swapper));
}

/**
 * The swapped crop for an aligned crop of n·S: n = 1 is one run; otherwise the N² interleaved tiles are
 * swapped one after the other with the same feed and interleaved back (FaceFusion's pixel boost).
 */
export async function swapCrop(
  swapper: LoadedSwapper,
  crop: RgbImage,
  feed: Float32Array,
  n: number,
): Promise<RgbImage> {
  const side = pixelBoostSize(swapper, n);
  if (crop.width !== side || crop.height !== side) {
    throw new RangeError(
      `swapCrop: pixel boost ${n} with ${swapper.id} needs a ${side}² crop, got ${crop.width}×${crop.height}`,
    );
  }
  if (feed.length !== EMBEDDING_SIZE) {
    throw new RangeError(`swapCrop: the source feed has ${feed.length} values, expected ${EMBEDDING_SIZE}`);
  }
  const tiles = implodePixelBoost(crop, n);
  const swapped: RgbImage[] = [];
  for (const tile of tiles) swapped.push(await swapTile(swapper, tile, feed));
  return explodePixelBoost(swapped, n);
}

/**
 * Replaces the face at `face.points` in `frame` (in place) with the identity whose swapper feed is
 * `feed` (LoadedSwapper.sourceFeed). Returns the changed rectangle, the paste mask and the crop's
 * geometry.
 */
export async function swapFace(
  swapper: LoadedSwapper,
  frame: Picture,
  face: { points: FivePoints; alignWeights?: readonly number[]; landmarks68?: readonly Point[] },
  feed: Float32Array,
  options: PasteOptions,
  masks: MaskModels = {},
  /** A tracked face in a sequence: its colour transfer and mask are smoothed over time (§8.3). */
  state?: FaceTemporalState,
): Promise<SwapResult> {
  const n = options.pixelBoost ?? 1;
  const size = pixelBoostSize(swapper, n);
  const aligned = alignForModel(
    frame,
    face.points,
    { ...swapper.preprocess, size },
    { weights: face.alignWeights, border: swapper.border },
  );
  // The occlusion mask is judged on the target as it is, so run it alongside the swap.
  const occlusion = masks.occluder ? occlusionMask(masks.occluder, aligned.crop) : null;
  occlusion?.catch(() => undefined); // awaited below; never an unhandled rejection
  let swapped = await swapCrop(swapper, aligned.crop, feed, n);
  if (options.colorCorrection) {
    swapped = matchFaceColour(swapped, aligned.crop, swapper.preprocess.template, state);
  }
  let mask = faceMask(size, options);
  if (occlusion) mask = intersectMasks(mask, await occlusion);
  if (masks.parser) mask = intersectMasks(mask, await regionMask(masks.parser, swapped));
  if (state) mask = state.smoothMask(mask);
  // After smoothing, so the kept mouth is exactly 0 on every frame.
  if (options.mouthMask) {
    const mouth = mouthPointsInCrop(face, aligned.matrix);
    mask = intersectMasks(mask, mouthKeepMask(size, mouth, { margin: mouthMargin(aligned.matrix) }));
  }
  const cropToFrame = invertAffine(aligned.matrix);
  const rect = pasteBack(frame, swapped, cropToFrame, mask);
  return { rect, mask, size, cropToFrame };
}
