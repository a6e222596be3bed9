// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the matrix loop are in bounds by construction
// inswapper_128 (docs/models/face.md §5): the source identity becomes a latent through the model's `emap`
// matrix; the target face is aligned to the arcface_128 template, swapped at 128², optionally
// colour-matched on the face region, and pasted back through FaceFusion's box mask (∧ the optional
// occlusion and region masks). Only the pasted rectangle of the frame is written.
// Template, size and normalisation are the catalog entry's `preprocess` (./models.ts).
import {
  colorTransfer,
  fromCHW,
  invertAffine,
  type ModelSession,
  ort,
  type Picture,
  pasteBack,
  type Rect,
  type RgbImage,
  readInitializer,
} from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { alignForModel, type FivePoints } from './align.ts';
import { type BoxMaskSettings, faceMask, intersectMasks, occlusionMask, regionMask } from './masks.ts';
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

export interface PasteOptions extends BoxMaskSettings {
  /**
   * Match the swapped face's colour statistics to the target face's before pasting (Visage's own
   * option, off by default: no reference tool does this after inswapper; docs/models/face.md §5.4).
   */
  colorCorrection: boolean;
}

/**
 * Where colour correction measures its statistics on the 128² arcface_128 crop: an ellipse centred
 * (64, 74), semi-axes 28 × 34 px, over the template's eyes (y ≈ 51), nose and mouth (y ≈ 92) and
 * the cheeks between, inside the skin of an aligned face, so hair, background and collar
 * (which the box mask covers) do not count (docs/models/face.md §5.4).
 */
export const COLOR_REGION = { cx: 64, cy: 74, rx: 28, ry: 34 } as const;

let colorRegion: Float32Array | undefined;

/** {@link COLOR_REGION} as 0/1 weights on the 128² crop (built once). */
export function colorRegionMask(): Float32Array {
  if (!colorRegion) {
    const { cx, cy, rx, ry } = COLOR_REGION;
    colorRegion = new Float32Array(INSWAPPER_SIZE * INSWAPPER_SIZE);
    for (let y = 0, o = 0; y < INSWAPPER_SIZE; y++) {
      for (let x = 0; x < INSWAPPER_SIZE; x++, o++) {
        colorRegion[o] = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1 ? 1 : 0;
      }
    }
  }
  return colorRegion;
}

/** The swapped crop with its face's colour statistics moved to the target crop's (both 128²). */
export function matchFaceColour(swapped: RgbImage, target: RgbImage): RgbImage {
  const region = colorRegionMask();
  return colorTransfer(swapped, target, { srcMask: region, referenceMask: region });
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
  frame: Picture,
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
  if (options.colorCorrection) swapped = matchFaceColour(swapped, aligned.crop);
  let mask = faceMask(INSWAPPER_SIZE, options);
  if (occlusion) mask = intersectMasks(mask, await occlusion);
  if (masks.parser) mask = intersectMasks(mask, await regionMask(masks.parser, swapped));
  return pasteBack(frame, swapped, invertAffine(aligned.matrix), mask);
}
