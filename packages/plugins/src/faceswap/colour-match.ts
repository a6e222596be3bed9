// Colour correction of a swapped face (docs/models/face.md §5.4): Reinhard's mean/σ transfer in
// CIELAB, from the swapped crop's face region to the target crop's. The region is drawn from the
// crop's template, so it covers the same part of the face at any crop size and template; in a video
// the target's statistics are smoothed per tracked face (temporal.ts) so the colour does not flicker.
import {
  ARCFACE_112_TEMPLATE,
  ARCFACE_112_V1_TEMPLATE,
  ARCFACE_128_TEMPLATE,
  applyLabTransfer,
  FFHQ_512_TEMPLATE,
  labStats,
  type Point,
  type RgbImage,
} from '@visage/inference';
import type { FaceTemplate } from '@visage/inference/models';
import type { FaceTemporalState } from './temporal.ts';

/** Each template's five points and the crop size they are given for. */
const TEMPLATES: Record<FaceTemplate, { points: readonly Point[]; size: number }> = {
  arcface_112: { points: ARCFACE_112_TEMPLATE, size: 112 },
  arcface_112_v1: { points: ARCFACE_112_V1_TEMPLATE, size: 112 },
  arcface_128: { points: ARCFACE_128_TEMPLATE, size: 128 },
  ffhq_512: { points: FFHQ_512_TEMPLATE, size: 512 },
};

/**
 * The face region's shape, in units of the template's face: centred between the eyes' and the mouth
 * corners' midpoints, pushed down by CENTRE_DROP × their distance h; semi-axes ACROSS × the eye
 * distance and ALONG × h. On the 128² arcface_128 crop that is the ellipse (64.0, 74.0), 28.2 × 34.6
 * px: the eyes (y ≈ 51.6), nose (71.7), mouth corners (92.3) and the cheeks between, inside the skin
 * of an aligned face, so hair, background and collar do not count.
 */
const CENTRE_DROP = 0.05;
const ACROSS = 0.8;
const ALONG = 0.85;

export interface ColourRegion {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

/** Where colour correction measures its statistics on a size² crop aligned to `template` (an axis-aligned ellipse). */
export function colourRegionEllipse(template: FaceTemplate, size: number): ColourRegion {
  const t = TEMPLATES[template];
  if (!t) throw new RangeError(`colourRegionEllipse: unknown face template "${template}"`);
  if (!Number.isInteger(size) || size <= 0)
    throw new RangeError(`colourRegionEllipse: bad crop size ${size}`);
  const k = size / t.size;
  const [eyeA, eyeB, , mouthA, mouthB] = t.points as [Point, Point, Point, Point, Point];
  const ex = ((eyeA[0] + eyeB[0]) / 2) * k;
  const ey = ((eyeA[1] + eyeB[1]) / 2) * k;
  const mx = ((mouthA[0] + mouthB[0]) / 2) * k;
  const my = ((mouthA[1] + mouthB[1]) / 2) * k;
  const eyes = Math.hypot(eyeB[0] - eyeA[0], eyeB[1] - eyeA[1]) * k;
  const h = Math.hypot(mx - ex, my - ey);
  return { cx: (ex + mx) / 2, cy: (ey + my) / 2 + CENTRE_DROP * h, rx: ACROSS * eyes, ry: ALONG * h };
}

const regions = new Map<string, Float32Array>();

/** {@link colourRegionEllipse} as 0/1 weights on the size² crop (built once per template and size; do not write into it). */
export function colourRegionMask(template: FaceTemplate, size: number): Float32Array {
  const key = `${template}:${size}`;
  let mask = regions.get(key);
  if (!mask) {
    const { cx, cy, rx, ry } = colourRegionEllipse(template, size);
    mask = new Float32Array(size * size);
    for (let y = 0, o = 0; y < size; y++) {
      for (let x = 0; x < size; x++, o++) mask[o] = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1 ? 1 : 0;
    }
    regions.set(key, mask);
  }
  return mask;
}

/**
 * The swapped crop with its face region's CIELAB mean and σ moved to the target crop's (both
 * size² crops aligned to `template`, size = their width). With `state` (a tracked face in a video)
 * the target's statistics are smoothed over time first.
 */
export function matchFaceColour(
  swapped: RgbImage,
  target: RgbImage,
  template: FaceTemplate,
  state?: FaceTemporalState,
): RgbImage {
  const size = swapped.width;
  if (swapped.height !== size || target.width !== size || target.height !== size) {
    throw new RangeError(
      `matchFaceColour: needs two square crops of one size (got ${swapped.width}×${swapped.height} and ${target.width}×${target.height})`,
    );
  }
  const region = colourRegionMask(template, size);
  const from = labStats(swapped, region);
  const measured = labStats(target, region);
  return applyLabTransfer(swapped, from, state ? state.smoothColour(measured) : measured);
}
