// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loops are in bounds by construction
// The masks a face crop is pasted through (docs/models/face.md §7, FaceFusion's face_masker): the box mask
// (always), an occlusion mask (XSeg: keeps hands, hair, glasses in front of the face) from the crop before
// it is replaced, and a region mask (BiSeNet face parsing: skin, brows, eyes, glasses, nose, mouth, lips)
// from the swapped crop. The optional two end as FaceFusion does: resized to the crop, Gaussian σ 5,
// [0.5, 1] → [0, 1]; all are combined by element-wise minimum. Input sizes, layouts and normalisations
// are the catalog entries' `preprocess` (./models.ts).
import {
  blurredBoxMask,
  gaussianBlur,
  type ModelSession,
  ort,
  type RgbImage,
  resizeImage,
} from '@visage/inference';
import { inputDims, inputValues } from '../model-input.ts';
import { FACESWAP_MODEL_SET } from './models.ts';

const XSEG = FACESWAP_MODEL_SET.occluder.preprocess;
const BISENET = FACESWAP_MODEL_SET.parser.preprocess;
const XSEG_SIZE = XSEG.size;
const BISENET_SIZE = BISENET.size;
/** BiSeNet (CelebAMask-HQ) class ids FaceFusion keeps by default. */
export const FACE_REGIONS = {
  skin: 1,
  leftEyebrow: 2,
  rightEyebrow: 3,
  leftEye: 4,
  rightEye: 5,
  glasses: 6,
  nose: 10,
  mouth: 11,
  upperLip: 12,
  lowerLip: 13,
} as const;

/** Box mask padding per side, in percent of the crop: top, right, bottom, left (FaceFusion's order). */
export type MaskPadding = readonly [top: number, right: number, bottom: number, left: number];

export interface BoxMaskSettings {
  /** FaceFusion's `--face-mask-blur`, 0..1: the Gaussian's σ is a quarter of 0.5·size·blur. */
  maskBlur: number;
  /** FaceFusion's `--face-mask-padding`: top, right, bottom, left, in percent of the crop (0..100). */
  maskPadding: MaskPadding;
}

const boxMasks = new Map<string, Float32Array>();

/**
 * FaceFusion's box mask on a size² crop (`create_box_mask`, docs/models/face.md §7.1): blur_amount =
 * int(0.5·size·maskBlur), on each side a zero strip of max(blur_amount // 2, 1, int(size·padding/100))
 * px with that side's padding, then a Gaussian of σ = blur_amount/4 centred on the strips' edges.
 * The returned mask is cached per setting and shared: never write into it.
 */
export function faceMask(size: number, { maskBlur, maskPadding }: BoxMaskSettings): Float32Array {
  if (
    maskPadding.length !== 4 ||
    !maskPadding.every((p) => Number.isFinite(p) && p >= 0 && p <= 100) ||
    !(maskBlur >= 0 && maskBlur <= 1)
  ) {
    throw new RangeError(
      `faceMask: maskBlur must be 0..1 and maskPadding four percentages 0..100 (top, right, bottom, left); got ${maskBlur} and [${maskPadding.join(', ')}]`,
    );
  }
  const key = `${size}:${maskBlur}:${maskPadding.join(',')}`;
  let mask = boxMasks.get(key);
  if (!mask) {
    // Python's int() truncates; the products are evaluated in FaceFusion's order.
    const blurAmount = Math.trunc(size * 0.5 * maskBlur);
    const blurArea = Math.max(Math.trunc(blurAmount / 2), 1);
    const [top, right, bottom, left] = maskPadding.map((p) =>
      Math.max(blurArea, Math.trunc((size * p) / 100)),
    );
    mask = blurredBoxMask(size, size, {
      zero: [top, right, bottom, left] as [number, number, number, number],
      sigma: blurAmount * 0.25,
    });
    boxMasks.set(key, mask);
  }
  return mask;
}

/** Bilinear resize of a one-channel float mask with pixel centres aligned (OpenCV's INTER_LINEAR). */
export function resizeMask(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  if (src.length !== sw * sh) throw new RangeError(`resizeMask: ${src.length} values for ${sw}×${sh}`);
  const out = new Float32Array(dw * dh);
  const fx = sw / dw;
  const fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const sy = Math.min(Math.max((y + 0.5) * fy - 0.5, 0), sh - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = sy - y0;
    for (let x = 0; x < dw; x++) {
      const sx = Math.min(Math.max((x + 0.5) * fx - 0.5, 0), sw - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = sx - x0;
      const top = src[y0 * sw + x0]! + (src[y0 * sw + x1]! - src[y0 * sw + x0]!) * wx;
      const bottom = src[y1 * sw + x0]! + (src[y1 * sw + x1]! - src[y1 * sw + x0]!) * wx;
      out[y * dw + x] = top + (bottom - top) * wy;
    }
  }
  return out;
}

/** FaceFusion's finishing step: clip to 0..1, Gaussian σ 5, then [0.5, 1] → [0, 1] (in place). */
export function finishMask(mask: Float32Array, width: number, height: number): Float32Array {
  for (let i = 0; i < mask.length; i++) mask[i] = Math.min(1, Math.max(0, mask[i]!));
  const blurred = gaussianBlur(mask, width, height, 5);
  for (let i = 0; i < mask.length; i++) mask[i] = (Math.min(1, Math.max(0.5, blurred[i]!)) - 0.5) * 2;
  return mask;
}

/** min(a, b) element-wise into a new mask. */
export function intersectMasks(a: Float32Array, b: Float32Array): Float32Array {
  if (a.length !== b.length) throw new RangeError(`intersectMasks: ${a.length} vs ${b.length} values`);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = Math.min(a[i]!, b[i]!);
  return out;
}

function firstOutput(outputs: Record<string, ort.Tensor>, what: string, values: number): Float32Array {
  const [output] = Object.values(outputs);
  if (!output || output.data.length !== values) {
    throw new Error(`${what} returned ${output?.dims.join('×') ?? 'nothing'} (${values} values expected)`);
  }
  return output.data as Float32Array;
}

/** XSeg occlusion mask (1 = face visible) for a crop, at the crop's size. */
export async function occlusionMask(session: ModelSession, crop: RgbImage): Promise<Float32Array> {
  const small = await resizeImage(crop, XSEG_SIZE, XSEG_SIZE, { kernel: 'linear' });
  // NHWC, BGR (DeepFaceLab trained on OpenCV frames), x/255.
  const name = session.inputs[0]?.name ?? 'input';
  const outputs = await session.run({
    [name]: new ort.Tensor('float32', inputValues(small, XSEG), inputDims(XSEG)),
  });
  const raw = firstOutput(outputs, 'The occlusion model', XSEG_SIZE * XSEG_SIZE);
  const mask = resizeMask(raw, XSEG_SIZE, XSEG_SIZE, crop.width, crop.height);
  return finishMask(mask, crop.width, crop.height);
}

/** BiSeNet region mask (1 = one of `regions`) for a crop, at the crop's size. */
export async function regionMask(
  session: ModelSession,
  crop: RgbImage,
  regions: readonly number[] = Object.values(FACE_REGIONS),
): Promise<Float32Array> {
  const big = await resizeImage(crop, BISENET_SIZE, BISENET_SIZE, { kernel: 'linear' });
  // RGB, ImageNet mean/std.
  const name = session.inputs[0]?.name ?? 'input';
  const outputs = await session.run({
    [name]: new ort.Tensor('float32', inputValues(big, BISENET), inputDims(BISENET)),
  });
  const [output] = Object.values(outputs);
  const plane = BISENET_SIZE * BISENET_SIZE;
  const classes = output ? output.data.length / plane : 0;
  if (!output || !Number.isInteger(classes) || classes < 2) {
    throw new Error(`The face parser returned ${output?.dims.join('×') ?? 'nothing'}, expected 1×C×512×512`);
  }
  const scores = output.data as Float32Array;
  const keep = new Uint8Array(classes);
  for (const r of regions) if (r < classes) keep[r] = 1;
  const hit = new Float32Array(plane);
  for (let p = 0; p < plane; p++) {
    let best = 0;
    let bestScore = scores[p]!;
    for (let c = 1; c < classes; c++) {
      const s = scores[c * plane + p]!;
      if (s > bestScore) {
        bestScore = s;
        best = c;
      }
    }
    hit[p] = keep[best]!;
  }
  const mask = resizeMask(hit, BISENET_SIZE, BISENET_SIZE, crop.width, crop.height);
  return finishMask(mask, crop.width, crop.height);
}
