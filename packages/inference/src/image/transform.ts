// biome-ignore-all lint/style/noNonNullAssertion: indices into fixed-size matrices and checked point arrays
// 2×3 affine matrices, the least-squares similarity fit used for face alignment, and the alignment
// templates. A matrix is a Float64Array [a, b, tx, c, d, ty] (row-major, OpenCV's layout) mapping
// (x, y) → (a·x + b·y + tx, c·x + d·y + ty), with pixel centres at integer coordinates as in cv2.
export type Affine = Float64Array;
export type Point = readonly [number, number];

export function affine(a: number, b: number, tx: number, c: number, d: number, ty: number): Affine {
  return Float64Array.of(a, b, tx, c, d, ty);
}

export function identityAffine(): Affine {
  return affine(1, 0, 0, 0, 1, 0);
}

/** Rotation by `degrees` (counter-clockwise on screen, y down) and uniform `scale` about `center`, then a shift. */
export function similarityAffine(
  degrees: number,
  scale: number,
  center: Point = [0, 0],
  translate: Point = [0, 0],
): Affine {
  const t = (degrees * Math.PI) / 180;
  const p = scale * Math.cos(t);
  const q = scale * Math.sin(t);
  const [cx, cy] = center;
  // Same sign convention as cv2.getRotationMatrix2D.
  return affine(p, q, cx - p * cx - q * cy + translate[0], -q, p, cy + q * cx - p * cy + translate[1]);
}

export function applyAffine(m: Affine, point: readonly number[]): [number, number] {
  const x = point[0] ?? Number.NaN;
  const y = point[1] ?? Number.NaN;
  return [m[0]! * x + m[1]! * y + m[2]!, m[3]! * x + m[4]! * y + m[5]!];
}

/** outer ∘ inner: the matrix that applies `inner` first, then `outer`. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [g, h, i, j, k, l] = inner;
  return affine(
    a! * g! + b! * j!,
    a! * h! + b! * k!,
    a! * i! + b! * l! + c!,
    d! * g! + e! * j!,
    d! * h! + e! * k!,
    d! * i! + e! * l! + f!,
  );
}

export function invertAffine(m: Affine): Affine {
  const a = m[0]!;
  const b = m[1]!;
  const tx = m[2]!;
  const c = m[3]!;
  const d = m[4]!;
  const ty = m[5]!;
  const det = a * d - b * c;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) {
    throw new RangeError(`invertAffine: matrix is singular (determinant ${det})`);
  }
  const ia = d / det;
  const ib = -b / det;
  const ic = -c / det;
  const id = a / det;
  return affine(ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty));
}

/**
 * Least-squares similarity (rotation + uniform scale + translation, never a reflection) mapping `src`
 * onto `dst`: Umeyama (1991) as used by insightface through skimage's SimilarityTransform. In 2-D it
 * reduces to a complex linear regression: with centred points s, d seen as complex numbers,
 * z = Σ conj(s)·d / Σ|s|² = scale·e^{iθ}. That is the same minimiser as Umeyama's SVD with the
 * det-sign correction, without an SVD.
 */
export function estimateSimilarity(
  src: readonly (readonly number[])[],
  dst: readonly (readonly number[])[],
  /** Optional per-pair weights (≥ 0) for a weighted least-squares fit; default all 1. */
  weights?: readonly number[],
): Affine {
  const n = src.length;
  if (n !== dst.length)
    throw new RangeError(`estimateSimilarity: ${n} source points but ${dst.length} target points`);
  if (n < 2) throw new RangeError(`estimateSimilarity: needs at least 2 point pairs (got ${n})`);
  if (weights && (weights.length !== n || weights.some((w) => !(w >= 0)))) {
    throw new RangeError(`estimateSimilarity: need ${n} weights, each ≥ 0`);
  }
  let total = 0;
  let msx = 0;
  let msy = 0;
  let mdx = 0;
  let mdy = 0;
  for (let i = 0; i < n; i++) {
    const s = src[i]!;
    const d = dst[i]!;
    if (s.length < 2 || d.length < 2) throw new RangeError(`estimateSimilarity: point ${i} is not 2-D`);
    const w = weights ? weights[i]! : 1;
    total += w;
    msx += w * s[0]!;
    msy += w * s[1]!;
    mdx += w * d[0]!;
    mdy += w * d[1]!;
  }
  if (!(total > 0)) throw new RangeError('estimateSimilarity: the weights are all 0');
  msx /= total;
  msy /= total;
  mdx /= total;
  mdy /= total;
  let re = 0;
  let im = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    const sx = src[i]![0]! - msx;
    const sy = src[i]![1]! - msy;
    const dx = dst[i]![0]! - mdx;
    const dy = dst[i]![1]! - mdy;
    re += w * (sx * dx + sy * dy);
    im += w * (sx * dy - sy * dx);
    variance += w * (sx * sx + sy * sy);
  }
  if (!Number.isFinite(variance) || !Number.isFinite(re) || !Number.isFinite(im)) {
    throw new RangeError('estimateSimilarity: points are not finite');
  }
  if (variance < 1e-12) throw new RangeError('estimateSimilarity: source points all coincide');
  const p = re / variance; // scale·cosθ
  const q = im / variance; // scale·sinθ
  return affine(p, -q, mdx - (p * msx - q * msy), q, p, mdy - (q * msx + p * msy));
}

/** Multiplies every template point by `factor` (FaceFusion scales its templates to the crop size). */
export function scaleTemplate(template: readonly Point[], factor: number): Point[] {
  return template.map(([x, y]) => [x * factor, y * factor] as const);
}

// Five-point templates in pixels, point order: image-left eye, image-right eye, nose tip, image-left
// mouth corner, image-right mouth corner (docs/models/face.md §1.3, §4.2).

/** ArcFace 112×112: insightface `utils/face_align.py` `arcface_dst` (= FaceFusion `arcface_112_v2`). */
export const ARCFACE_112_TEMPLATE: readonly Point[] = Object.freeze([
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
] as const);

/** ArcFace 128×128 for inswapper_128 / HyperSwap: `arcface_dst` shifted 8 px right (insightface face_align.py, FaceFusion `arcface_128`). */
export const ARCFACE_128_TEMPLATE: readonly Point[] = Object.freeze(
  ARCFACE_112_TEMPLATE.map(([x, y]) => [x + 8, y] as const),
);

/**
 * ArcFace 112×112, the older insightface points: FaceFusion `arcface_112_v1` (normalised) × 112, for
 * ghost and SimSwap (docs/models/face.md §4.2, §5.6). FaceFusion's values are these divided by 112,
 * rounded to 8 decimals.
 */
export const ARCFACE_112_V1_TEMPLATE: readonly Point[] = Object.freeze([
  [39.73, 51.138],
  [72.27, 51.138],
  [56.0, 68.493],
  [42.463, 87.01],
  [69.537, 87.01],
] as const);

/** FFHQ 512×512 for GFPGAN / CodeFormer / GPEN-512: FaceFusion `WARP_TEMPLATE_SET['ffhq_512']` × 512 (= Deep-Live-Cam `FFHQ_TEMPLATE_512`). */
export const FFHQ_512_TEMPLATE: readonly Point[] = Object.freeze([
  [192.981, 239.947],
  [318.903, 240.194],
  [256.634, 314.019],
  [201.261, 371.41],
  [313.089, 371.151],
] as const);
