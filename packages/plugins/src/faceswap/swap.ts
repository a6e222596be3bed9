// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the matrix loop are in bounds by construction
// inswapper_128 (docs/models/face.md §5): the source identity becomes a latent through the model's `emap`
// matrix; the target face is aligned to the arcface_128 template, swapped at 128², colour-matched
// and pasted back with a feathered box mask. Only the pasted rectangle of the frame is written.
// Template, size and normalisation are the catalog entry's `preprocess` (./models.ts).
import {
  boxMask,
  colorTransfer,
  fromCHW,
  invertAffine,
  type ModelSession,
  ort,
  pasteBack,
  type Rect,
  type RgbImage,
  readInitializer,
} from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { alignForModel, type FivePoints } from './align.ts';
import { intersectMasks, occlusionMask, regionMask } from './masks.ts';
import { FACESWAP_MODEL_SET } from './models.ts';
import { l2Normalize } from './recognize.ts';

const PREPROCESS = FACESWAP_MODEL_SET.swapper.preprocess;
export const INSWAPPER_SIZE = PREPROCESS.size;
export const EMBEDDING_SIZE = 512;

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

export interface PasteOptions {
  /** Feather of the pasted edge as a fraction of half the crop (FaceFusion's face-mask-blur, default 0.3). */
  maskBlur: number;
  /** Zeroed border of the crop, in percent of its size. */
  maskPadding: number;
  /** Match the swapped face's colour statistics to the target face's before pasting. */
  colorCorrection: boolean;
}

const masks = new Map<string, Float32Array>();

/** FaceFusion's box mask on a size² crop: blur 0.3 ⇒ a 19 px feather on 128². Cached per setting. */
export function faceMask(
  size: number,
  { maskBlur, maskPadding }: Pick<PasteOptions, 'maskBlur' | 'maskPadding'>,
) {
  const key = `${size}:${maskBlur}:${maskPadding}`;
  let mask = masks.get(key);
  if (!mask) {
    const padding = Math.round((maskPadding / 100) * size);
    // Never a hard edge: even "blur 0" keeps a 1 px ramp so no seam shows.
    const blur = Math.max(1, Math.round(maskBlur * 0.5 * size));
    mask = boxMask(size, size, { blur, padding });
    masks.set(key, mask);
  }
  return mask;
}

/** Optional mask models (see masks.ts). */
export interface MaskModels {
  /** XSeg: keeps what covers the face (hands, hair, glasses) from the target. */
  occluder?: ModelSession | null;
  /** BiSeNet: pastes only the face's own regions. */
  parser?: ModelSession | null;
}

/**
 * Replaces the face at `face.points` in `frame` (in place) with the identity `latent`. Returns the frame
 * rectangle that may have changed; pixels outside it are untouched.
 */
export async function swapFace(
  session: ModelSession,
  frame: RgbImage,
  face: { points: FivePoints; alignWeights?: readonly number[] },
  latent: Float32Array,
  options: PasteOptions,
  masks: MaskModels = {},
): Promise<Rect> {
  const aligned = alignForModel(frame, face.points, PREPROCESS, { weights: face.alignWeights });
  const target = inputValues(aligned.crop, PREPROCESS);
  // The occlusion mask is judged on the target as it is, so run it alongside the swap.
  const occlusion = masks.occluder ? occlusionMask(masks.occluder, aligned.crop) : null;
  occlusion?.catch(() => undefined); // awaited below; never an unhandled rejection
  const outputs = await session.run({
    target: new ort.Tensor('float32', target, inputDims(PREPROCESS)),
    source: new ort.Tensor('float32', latent, [1, EMBEDDING_SIZE]),
  });
  const [output] = Object.values(outputs);
  if (!output || output.data.length !== 3 * INSWAPPER_SIZE * INSWAPPER_SIZE) {
    throw new Error(`inswapper returned ${output?.dims.join('×') ?? 'nothing'}, expected 1×3×128×128`);
  }
  // The output is in the input's range (RGB 0..1): the same normalisation undone.
  let swapped = fromCHW(output.data as Float32Array, INSWAPPER_SIZE, INSWAPPER_SIZE, PREPROCESS.normalize);
  const box = faceMask(INSWAPPER_SIZE, options);
  if (options.colorCorrection) {
    swapped = colorTransfer(swapped, aligned.crop, { srcMask: box, referenceMask: box });
  }
  let mask = box;
  if (occlusion) mask = intersectMasks(mask, await occlusion);
  if (masks.parser) mask = intersectMasks(mask, await regionMask(masks.parser, swapped));
  return pasteBack(frame, swapped, invertAffine(aligned.matrix), mask);
}
