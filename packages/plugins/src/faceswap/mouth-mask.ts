// biome-ignore-all lint/style/noNonNullAssertion: typed-array and point reads are in bounds by construction
// The mouth mask (docs/models/face.md §7.5): keeps the target's own mouth (lips, teeth, tongue) so
// speech and lip sync survive the swap. Multiplied into the paste mask (element-wise minimum), it is
// exactly 0 over the mouth grown by a margin, so the paste leaves those frame pixels bit-identical,
// and ramps back to 1 outside.
import { type Affine, applyAffine, type Point } from '@visage/inference';
import type { FivePoints } from './align.ts';

/** FaceFusion's 'mouth' area: 68-point landmarks 48–67, outer and inner lip (choices.py `face_mask_area_set`). */
export const MOUTH_LANDMARKS: readonly number[] = Array.from({ length: 20 }, (_, i) => 48 + i);

/**
 * Without 68-point landmarks the mouth is drawn from the five points' mouth corners: an upper and a
 * lower half-ellipse through both corners, reaching MOUTH_ABOVE and MOUTH_BELOW × the corner-to-corner
 * width from the corner line. Adult norms (Farkas): mouth width ≈ 50–54 mm, upper and lower lip
 * vermilion ≈ 8–10 mm each, subnasale ≈ 22 mm above the lips' meeting line; speech opens the lips by
 * up to ≈ 20 mm, mostly by dropping the jaw, while the corners draw in. So 0.35 covers the upper lip
 * of an open mouth and stays below the nose (0.42), and 0.6 covers the lower lip of a speaking
 * mouth (≈ 0.5 of a narrowed width). A yawn needs the 68 landmarks.
 */
export const MOUTH_ABOVE = 0.35;
export const MOUTH_BELOW = 0.6;
/** Vertices of the five-point mouth outline (both half-ellipses). */
const OUTLINE_VERTICES = 48;
/** Default ramp from 0 back to 1, as a fraction of the crop size (≈ FaceFusion's σ 5 area-mask edge at 128²). */
export const MOUTH_FEATHER = 0.06;

/**
 * The mouth outline in crop pixels: the hull of 68-point landmarks 48–67 when the face has them,
 * otherwise the two half-ellipses through the five points' mouth corners (MOUTH_ABOVE, MOUTH_BELOW),
 * "below" being away from the nose. `faceToCrop` maps frame pixels to the crop (the alignment matrix).
 */
export function mouthPointsInCrop(
  face: { points: FivePoints; landmarks68?: readonly Point[] },
  faceToCrop: Affine,
): Point[] {
  const toCrop = (p: Point) => applyAffine(faceToCrop, p);
  if (face.landmarks68) {
    if (face.landmarks68.length !== 68) {
      throw new RangeError(`mouthPointsInCrop: landmarks68 has ${face.landmarks68.length} points, not 68`);
    }
    return MOUTH_LANDMARKS.map((i) => toCrop(face.landmarks68![i]!));
  }
  const [, , nose, cornerA, cornerB] = face.points.map(toCrop) as unknown as FivePoints;
  const mx = (cornerA[0] + cornerB[0]) / 2;
  const my = (cornerA[1] + cornerB[1]) / 2;
  const width = Math.hypot(cornerB[0] - cornerA[0], cornerB[1] - cornerA[1]);
  if (!(width > 0)) throw new RangeError('mouthPointsInCrop: the two mouth corners coincide');
  const ux = (cornerB[0] - cornerA[0]) / width;
  const uy = (cornerB[1] - cornerA[1]) / width;
  // The corner line's normal pointing away from the nose: "down" the face.
  let nx = -uy;
  let ny = ux;
  if (nx * (mx - nose[0]) + ny * (my - nose[1]) < 0) {
    nx = -nx;
    ny = -ny;
  }
  const outline: Point[] = [];
  for (let k = 0; k < OUTLINE_VERTICES; k++) {
    const t = (2 * Math.PI * k) / OUTLINE_VERTICES;
    const along = (width / 2) * Math.cos(t);
    const s = Math.sin(t);
    const across = s >= 0 ? MOUTH_BELOW * width * s : MOUTH_ABOVE * width * s;
    outline.push([mx + ux * along + nx * across, my + uy * along + ny * across]);
  }
  return outline;
}

/**
 * The margin (crop pixels) around the mouth outline that a paste must leave at exactly 0 so every
 * frame pixel inside the outline keeps its value. pasteBack maps a frame pixel to a crop point p and
 * reads the mask at the four crop pixels around p, all closer than √2: a margin of √2 covers an RGB
 * frame at any scale. A yuv420p frame re-encodes the chroma of a 2×2 block when any of its pixels is
 * blended, and the block's other pixels lie up to √2 frame pixels away, i.e. √2·s crop pixels with s
 * crop pixels per frame pixel: margin ≥ √2·(1 + s). Returned with room: 2 + 1.5·s.
 */
export function mouthMargin(faceToCrop: Affine): number {
  const s = Math.sqrt(Math.abs(faceToCrop[0]! * faceToCrop[4]! - faceToCrop[1]! * faceToCrop[3]!));
  if (!Number.isFinite(s) || s === 0) throw new RangeError('mouthMargin: the face→crop matrix is degenerate');
  return 2 + 1.5 * s;
}

/** Andrew's monotone chain: the convex hull, positively oriented (every turn has a positive cross product). */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (sorted.length <= 2) return sorted;
  const cross = (o: Point, a: Point, b: Point) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0)
      lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0)
      upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

export interface MouthMaskOptions {
  /** Crop pixels around the outline kept at exactly 0 (default 3.5 = mouthMargin at 1 crop px per frame px). */
  margin?: number;
  /** Width of the ramp back to 1, crop pixels (default MOUTH_FEATHER·size). */
  feather?: number;
}

/**
 * A size² keep-the-mouth mask: exactly 0 within `margin` of the convex hull of `mouth` (crop pixels,
 * e.g. mouthPointsInCrop), exactly 1 beyond margin + feather, and a smoothstep of the distance in
 * between (monotone). Intersect it with the paste mask (intersectMasks).
 */
export function mouthKeepMask(
  size: number,
  mouth: readonly Point[],
  options: MouthMaskOptions = {},
): Float32Array {
  const { margin = 3.5, feather = MOUTH_FEATHER * size } = options;
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`mouthKeepMask: bad size ${size}`);
  if (!(margin >= 0) || !(feather > 0)) {
    throw new RangeError(`mouthKeepMask: margin must be ≥ 0 and feather > 0 (got ${margin}, ${feather})`);
  }
  if (mouth.length === 0 || !mouth.every((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))) {
    throw new RangeError('mouthKeepMask: the mouth needs at least one finite point');
  }
  const hull = convexHull(mouth);
  const n = hull.length;
  // Edges as start point, direction and 1/length² (a 1-point hull is a zero-length edge).
  const ex = new Float64Array(n);
  const ey = new Float64Array(n);
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  const inv = new Float64Array(n);
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const [ax, ay] = hull[i]!;
    const [bx, by] = hull[(i + 1) % n]!;
    ex[i] = ax;
    ey[i] = ay;
    dx[i] = bx - ax;
    dy[i] = by - ay;
    const len2 = dx[i]! ** 2 + dy[i]! ** 2;
    inv[i] = len2 > 0 ? 1 / len2 : 0;
    x0 = Math.min(x0, ax);
    y0 = Math.min(y0, ay);
    x1 = Math.max(x1, ax);
    y1 = Math.max(y1, ay);
  }
  const reach = margin + feather;
  const mask = new Float32Array(size * size).fill(1);
  // Only pixels within reach of the hull's bounding box can be below 1.
  const left = Math.max(0, Math.floor(x0 - reach));
  const right = Math.min(size - 1, Math.ceil(x1 + reach));
  const top = Math.max(0, Math.floor(y0 - reach));
  const bottom = Math.min(size - 1, Math.ceil(y1 + reach));
  const polygon = n >= 3;
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      // Inside a positively oriented convex polygon: on the left of (or on) every edge.
      let inside = polygon;
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        const px = x - ex[i]!;
        const py = y - ey[i]!;
        if (dx[i]! * py - dy[i]! * px < 0) inside = false;
        const t = Math.min(1, Math.max(0, (px * dx[i]! + py * dy[i]!) * inv[i]!));
        const qx = px - t * dx[i]!;
        const qy = py - t * dy[i]!;
        const d2 = qx * qx + qy * qy;
        if (d2 < best) best = d2;
      }
      const distance = inside ? 0 : Math.sqrt(best);
      if (distance >= reach) continue;
      let v = 0;
      if (distance > margin) {
        const u = (distance - margin) / feather;
        v = u * u * (3 - 2 * u);
      }
      mask[y * size + x] = v;
    }
  }
  return mask;
}
