// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loops are in bounds by construction
// Single-channel float masks (0..1, row-major width×height): FaceFusion's blurred box mask for pasting
// a face crop back, and a separable Gaussian blur.

export interface BlurredBoxMaskOptions {
  /** Rows and columns set to 0 along each edge before the blur: one value or [top, right, bottom, left]. */
  zero: number | readonly [number, number, number, number];
  /** σ of the Gaussian in pixels; 0 leaves the box hard. */
  sigma: number;
}

/** OpenCV's BORDER_REFLECT_101 index (gfedcb|abcdefgh|gfedcba), reflected as often as needed. */
function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  let p = i;
  while (p < 0 || p >= n) p = p < 0 ? -p : 2 * n - 2 - p;
  return p;
}

// One axis of the blurred box: the 0/1 step profile convolved with cv2's Gaussian kernel.
function blurredProfile(n: number, zeroStart: number, zeroEnd: number, sigma: number): Float32Array {
  const inside = (i: number) => (i >= zeroStart && i < n - zeroEnd ? 1 : 0);
  const p = new Float32Array(n);
  if (sigma === 0) {
    for (let i = 0; i < n; i++) p[i] = inside(i);
    return p;
  }
  // cv2.GaussianBlur with ksize (0, 0) on float images: ksize = round(8σ + 1) | 1.
  const size = Math.round(sigma * 8 + 1) | 1;
  const r = (size - 1) >> 1;
  const k = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    k[i] = Math.exp((-0.5 * (i - r) * (i - r)) / (sigma * sigma));
    sum += k[i]!;
  }
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let j = 0; j < size; j++) acc += k[j]! * inside(reflect101(i + j - r, n));
    p[i] = acc / sum;
  }
  return p;
}

/**
 * A box of ones with `zero` rows/columns of 0 along its edges, blurred as cv2.GaussianBlur(mask,
 * (0, 0), σ) blurs it (kernel radius 4σ, reflect-101 borders): FaceFusion's box mask
 * (docs/models/face.md §7.1). The box is separable, so the result is the product of the two blurred
 * 1-D profiles. The edge is not exactly 0: the blur reaches it.
 */
export function blurredBoxMask(width: number, height: number, options: BlurredBoxMaskOptions): Float32Array {
  const { zero, sigma } = options;
  const [top, right, bottom, left] = typeof zero === 'number' ? [zero, zero, zero, zero] : zero;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`blurredBoxMask: size must be positive integers (got ${width}×${height})`);
  }
  if (!(sigma >= 0) || ![top, right, bottom, left].every((v) => Number.isInteger(v) && v >= 0)) {
    throw new RangeError(
      `blurredBoxMask: sigma must be ≥ 0 and zero whole pixels ≥ 0 (got sigma ${sigma}, zero ${String(zero)})`,
    );
  }
  const px = blurredProfile(width, left, right, sigma);
  const py = blurredProfile(height, top, bottom, sigma);
  const mask = new Float32Array(width * height);
  for (let y = 0, o = 0; y < height; y++) {
    const vy = py[y]!;
    for (let x = 0; x < width; x++, o++) mask[o] = vy * px[x]!;
  }
  return mask;
}

function gaussianKernel(sigma: number): Float64Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp((-i * i) / (2 * sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  return k;
}

/**
 * Separable Gaussian blur of a single-channel float image (kernel radius ⌈3σ⌉, edge pixels
 * replicated, so a constant image stays constant). σ = 0 copies. `out` may not alias `src`.
 */
export function gaussianBlur(
  src: Float32Array,
  width: number,
  height: number,
  sigma: number,
  out: Float32Array = new Float32Array(width * height),
): Float32Array {
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`gaussianBlur: size must be positive integers (got ${width}×${height})`);
  }
  if (src.length !== n || out.length !== n) {
    throw new RangeError(
      `gaussianBlur: ${width}×${height} needs ${n} values (src ${src.length}, out ${out.length})`,
    );
  }
  if (!(sigma >= 0)) throw new RangeError(`gaussianBlur: sigma must be ≥ 0 (got ${sigma})`);
  if (out === src) throw new RangeError('gaussianBlur: out must not be src');
  if (sigma === 0) {
    out.set(src);
    return out;
  }
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) >> 1;
  const tmp = new Float32Array(n);
  // Horizontal pass into tmp.
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      if (x >= r && x + r < width) {
        const base = row + x - r;
        for (let i = 0; i < k.length; i++) acc += k[i]! * src[base + i]!;
      } else {
        for (let i = -r; i <= r; i++) {
          const xx = x + i < 0 ? 0 : x + i >= width ? width - 1 : x + i;
          acc += k[i + r]! * src[row + xx]!;
        }
      }
      tmp[row + x] = acc;
    }
  }
  // Vertical pass: accumulate whole rows (contiguous reads) in float64.
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let i = -r; i <= r; i++) {
      const yy = y + i < 0 ? 0 : y + i >= height ? height - 1 : y + i;
      const wk = k[i + r]!;
      const row = yy * width;
      for (let x = 0; x < width; x++) acc[x] = acc[x]! + wk * tmp[row + x]!;
    }
    out.set(acc, y * width);
  }
  return out;
}
