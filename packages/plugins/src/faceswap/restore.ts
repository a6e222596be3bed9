// Face restoration with GFPGAN 1.4 or CodeFormer (FaceFusion's face enhancer, docs/models/face.md §6):
// warp the face onto the FFHQ 512 template (edges replicated), run the model on RGB in [−1, 1], and
// paste the restored crop back through FaceFusion's box mask (feathered by `maskBlur`) ∧ the optional
// occlusion mask of the same crop, blended with the original by `strength`. Template, size and
// normalisation are the catalog entries' `preprocess` (./models.ts; the same for both models).
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
import { inputDims, inputValues } from '../model-input.ts';
import { alignForModel, type FivePoints } from './align.ts';
import { faceMask, occlusionMask } from './masks.ts';
import { FACESWAP_MODEL_SET } from './models.ts';

export type { RestoreModel } from './model-ids.ts';

const PREPROCESS = FACESWAP_MODEL_SET.gfpgan.preprocess;

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

/** GFPGAN 1.4 and CodeFormer both work on 512² crops aligned to the FFHQ template. */
export const RESTORE_SIZE = PREPROCESS.size;

/** Default fidelity (CodeFormer `weight`). */
export const DEFAULT_FIDELITY = 0.5;

/** Default strength, FaceFusion's `--face-enhancer-blend 80`. */
export const DEFAULT_RESTORE_STRENGTH = 0.8;

/** FaceFusion's default `--face-mask-blur`. */
export const DEFAULT_RESTORE_MASK_BLUR = 0.3;

// box ∧ occlusion, × strength: the one buffer a restore pastes through, reused. It is filled and
// consumed by pasteBack in one synchronous stretch (no await in between), so concurrent restoreFace
// calls cannot see each other's values.
let pasteMask: Float32Array | undefined;

function combinedMask(box: Float32Array, occlusion: Float32Array | null, strength: number): Float32Array {
  if (!occlusion && strength === 1) return box;
  pasteMask ??= new Float32Array(box.length);
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

/** The image input: the 4-D float32 one ("input" in FaceFusion's exports). */
function imageInput(session: ModelSession): TensorInfo {
  const input = session.inputs.find((i) => i.type === 'float32' && i.shape.length === 4);
  if (!input || !sameShape(input.shape, [1, 3, RESTORE_SIZE, RESTORE_SIZE])) {
    throw new Error(
      `${session.id}: a face restorer needs a float32 [1, 3, ${RESTORE_SIZE}, ${RESTORE_SIZE}] image input; the model takes ` +
        session.inputs.map((i) => `${i.name}: ${i.type}[${i.shape.join(', ')}]`).join('; '),
    );
  }
  return input;
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
  const input = imageInput(session);
  if (strength === 0) return { x: 0, y: 0, width: 0, height: 0 };

  // FaceFusion's warp_face_by_face_landmark_5: edges replicated past the frame (docs/models/face.md §4.3).
  const aligned = alignForModel(frame, points, PREPROCESS, {
    weights: options.alignWeights,
    border: 'replicate',
  });
  // Judged on the crop as it is (the swapped face), alongside the restorer, as FaceFusion does.
  const occlusion = options.occluder ? occlusionMask(options.occluder, aligned.crop) : null;
  occlusion?.catch(() => undefined); // awaited below; never an unhandled rejection
  const feeds: Record<string, ort.Tensor> = {
    [input.name]: new ort.Tensor('float32', inputValues(aligned.crop, PREPROCESS), inputDims(PREPROCESS)),
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
  const output = outputs.output ?? Object.values(outputs)[0];
  const size = RESTORE_SIZE;
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
    ...PREPROCESS.normalize,
    clamp: true,
    ...(aligned.crop.channels === 3 ? { out: aligned.crop } : {}),
  });
  // From here to the end there is no await: the shared paste mask stays ours.
  const box = faceMask(size, { maskBlur, maskPadding: 0 });
  return pasteBack(frame, restored, invertAffine(aligned.matrix), combinedMask(box, occluded, strength));
}
