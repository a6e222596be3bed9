// Face restoration (FaceFusion's face enhancer, docs/models/face.md §6): GFPGAN, CodeFormer,
// RestoreFormer++ or GPEN-BFR. Warp the face onto the model's template at its size (edges replicated),
// run the model on RGB in [−1, 1], and paste the restored crop back through FaceFusion's box mask
// (feathered by `maskBlur`) ∧ the optional occlusion mask of the same crop, blended with the original
// by `strength`. Size, template and normalisation are the `preprocess` of the catalog entry whose id
// is the session's (./restorer-models.ts), so one code path runs every restorer.
import {
  fromCHW,
  invertAffine,
  type ModelSession,
  ort,
  type Picture,
  pasteBack,
  type Rect,
  type TensorInfo,
} from '@visage/inference';
import type { Preprocess } from '@visage/inference/models';
import { inputDims, inputValues } from '../model-input.ts';
import { alignForModel, type FivePoints } from './align.ts';
import { faceMask, occlusionMask } from './masks.ts';
import { RESTORER_MODEL_SET } from './restorer-models.ts';

export type { RestoreModel } from './model-ids.ts';

/** Restorer id → its entry's `preprocess` (size, template, normalisation). */
const RESTORERS: ReadonlyMap<string, Preprocess> = new Map(
  Object.values(RESTORER_MODEL_SET).map((entry) => [entry.id, entry.preprocess]),
);

/**
 * The size, template and normalisation restoreFace uses for the model `id` (its catalog entry's
 * `preprocess`); an id that is not a restorer throws, naming the restorers.
 */
export function restorerPreprocess(id: string): Preprocess {
  const preprocess = RESTORERS.get(id);
  if (!preprocess) {
    throw new Error(
      `restoreFace: "${id}" is not a face restorer (restorers: ${[...RESTORERS.keys()].join(', ')})`,
    );
  }
  return preprocess;
}

export interface RestoreOptions {
  /**
   * Blend with the original, 0..1: out = (1 − strength)·original + strength·restored
   * (FaceFusion's `--face-enhancer-blend` / 100, default 0.8).
   */
  strength: number;
  /**
   * CodeFormer's `weight` input, 0..1 (default 0.5, FaceFusion's `--face-enhancer-weight`): higher
   * keeps closer to the input face, lower restores harder. Ignored by models without that input.
   */
  fidelity?: number;
  /** Per-point weights of the alignment (EYES_ONLY for estimated mouth corners; see align.ts). */
  alignWeights?: readonly number[];
  /** The box mask's feather, FaceFusion's `--face-mask-blur` (the swap's `maskBlur`; default 0.3). */
  maskBlur?: number;
  /**
   * XSeg: what covers the face (hands, hair, glasses), judged on the restore crop, is left as it is,
   * as FaceFusion's enhancer does with the occlusion mask on.
   */
  occluder?: ModelSession | null;
}

/** The crop side of GFPGAN, CodeFormer, RestoreFormer++ and GPEN-BFR 512; see restorerPreprocess for the others. */
export const RESTORE_SIZE = RESTORER_MODEL_SET.gfpgan_1_4.preprocess.size;

/** Default fidelity (CodeFormer `weight`). */
export const DEFAULT_FIDELITY = 0.5;

/** Default strength, FaceFusion's `--face-enhancer-blend 80`. */
export const DEFAULT_RESTORE_STRENGTH = 0.8;

/** FaceFusion's default `--face-mask-blur`. */
export const DEFAULT_RESTORE_MASK_BLUR = 0.3;

// box ∧ occlusion, × strength: the buffer a restore pastes through, one per crop size, reused. It is
// filled and consumed by pasteBack in one synchronous stretch (no await in between), so concurrent
// restoreFace calls cannot see each other's values.
const pasteMasks = new Map<number, Float32Array>();

function combinedMask(box: Float32Array, occlusion: Float32Array | null, strength: number): Float32Array {
  if (!occlusion && strength === 1) return box;
  let pasteMask = pasteMasks.get(box.length);
  if (!pasteMask) {
    pasteMask = new Float32Array(box.length);
    pasteMasks.set(box.length, pasteMask);
  }
  for (let i = 0; i < box.length; i++) {
    const b = box[i] ?? 0;
    const o = occlusion ? (occlusion[i] ?? 0) : 1;
    pasteMask[i] = Math.min(b, o) * strength;
  }
  return pasteMask;
}

function checkUnit(value: number, name: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new RangeError(`restoreFace: ${name} must be a number in 0..1 (got ${String(value)})`);
  }
}

const sameShape = (shape: TensorInfo['shape'], dims: readonly number[]) =>
  shape.length === dims.length && shape.every((d, i) => typeof d !== 'number' || d <= 0 || d === dims[i]);

/**
 * The image input: `input` (FaceFusion's and VisoMaster's exports), else the 4-D one. Float32 only:
 * no restorer file Visage knows takes another type (VisoMaster's fp16 exports keep float32 I/O).
 */
function imageInput(session: ModelSession, size: number): TensorInfo {
  const input =
    session.inputs.find((i) => i.name === 'input') ?? session.inputs.find((i) => i.shape.length === 4);
  if (input?.type !== 'float32' || !sameShape(input.shape, [1, 3, size, size])) {
    throw new Error(
      `${session.id}: a face restorer needs a float32 [1, 3, ${size}, ${size}] image input; the model takes ` +
        session.inputs.map((i) => `${i.name}: ${i.type}[${i.shape.join(', ')}]`).join('; '),
    );
  }
  return input;
}

/**
 * The restored image among the outputs: `output`; else "2359", the image output of VisoMaster's
 * RestoreFormer++ fp16 export, which has 15 outputs (face_restorers.py); else the model's first
 * declared output, as FaceFusion reads it (not the first key: JS puts integer-like names first).
 */
function imageOutput(session: ModelSession, outputs: Record<string, ort.Tensor>): ort.Tensor | undefined {
  const first = session.outputs[0]?.name;
  return outputs.output ?? outputs['2359'] ?? (first === undefined ? undefined : outputs[first]);
}

/**
 * Restores one face in `frame` in place; returns the frame rectangle it changed (pixels outside it
 * are untouched). Strength 0 changes nothing and skips the model (an empty rectangle comes back).
 * Works for 3- and 4-channel frames (alpha is left alone).
 */
export async function restoreFace(
  session: ModelSession,
  frame: Picture,
  points: FivePoints,
  options: RestoreOptions,
): Promise<Rect> {
  const { strength, fidelity = DEFAULT_FIDELITY, maskBlur = DEFAULT_RESTORE_MASK_BLUR } = options;
  checkUnit(strength, 'strength');
  checkUnit(fidelity, 'fidelity');
  checkUnit(maskBlur, 'maskBlur');
  const preprocess = restorerPreprocess(session.id);
  const { size } = preprocess;
  const input = imageInput(session, size);
  if (strength === 0) return { x: 0, y: 0, width: 0, height: 0 };

  // FaceFusion's warp_face_by_face_landmark_5: edges replicated past the frame (docs/models/face.md §4.3).
  const aligned = alignForModel(frame, points, preprocess, {
    weights: options.alignWeights,
    border: 'replicate',
  });
  // Judged on the crop as it is (the swapped face), alongside the restorer, as FaceFusion does.
  const occlusion = options.occluder ? occlusionMask(options.occluder, aligned.crop) : null;
  occlusion?.catch(() => undefined); // awaited below; never an unhandled rejection
  const feeds: Record<string, ort.Tensor> = {
    [input.name]: new ort.Tensor('float32', inputValues(aligned.crop, preprocess), inputDims(preprocess)),
  };
  // CodeFormer's fidelity: float64 [1] in FaceFusion's export; a float32 export gets float32.
  const weight = session.inputs.find((i) => i.name === 'weight');
  if (weight) {
    feeds[weight.name] =
      weight.type === 'float32'
        ? new ort.Tensor('float32', Float32Array.of(fidelity), [1])
        : new ort.Tensor('float64', Float64Array.of(fidelity), [1]);
  }
  const outputs = await session.run(feeds);
  const output = imageOutput(session, outputs);
  const expected = [1, 3, size, size];
  if (
    output?.type !== 'float32' ||
    output.dims.length !== 4 ||
    output.dims.some((d, i) => d !== expected[i])
  ) {
    throw new Error(
      `${session.id}: expected a float32 [1, 3, ${size}, ${size}] output, got ${output ? `${output.type}[${output.dims.join(', ')}]` : 'none'}`,
    );
  }
  const occluded = occlusion ? await occlusion : null;
  // Clip to [−1, 1], (x + 1)/2·255, round (fromCHW clamps past 0..255 and rounds), into the crop's
  // own buffer when it is RGB (the occlusion model has read it by now).
  const restored = fromCHW(output.data as Float32Array, size, size, {
    ...preprocess.normalize,
    clamp: true,
    ...(aligned.crop.channels === 3 ? { out: aligned.crop } : {}),
  });
  // From here to the end there is no await: the shared paste mask of this size stays ours.
  const box = faceMask(size, { maskBlur, maskPadding: [0, 0, 0, 0] });
  return pasteBack(frame, restored, invertAffine(aligned.matrix), combinedMask(box, occluded, strength));
}
