// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loop are in bounds by construction
// warpAffine from a yuv420p frame straight to an RGB crop: each output pixel samples luma and chroma
// bilinearly at its source position and is converted there, so a model's 128² face crop or a detector's
// letterboxed input costs its own size, never the frame's (docs/video.md §2). Chroma is sited as
// H.264/MPEG-2 4:2:0 places it ("left"): chroma sample (i, j) sits at luma (2i, 2j + 0.5).
import type { RgbImage } from './image.ts';
import { type Affine, invertAffine } from './transform.ts';
import { type YuvImage, yuvPlanes, yuvTables } from './yuv.ts';

export interface YuvWarpOptions {
  border?: 'constant' | 'replicate';
  /** RGB value (every channel) of the outside with border 'constant'. */
  fill?: number;
}

/** `out` (width×height RGB) = `src` sampled at M⁻¹·(x, y), as warpAffine does for RGB sources. */
export function warpAffineYuv(
  src: YuvImage,
  m: Affine,
  out: RgbImage,
  options: YuvWarpOptions = {},
): RgbImage {
  const { width: w, height: h } = src;
  const cw = w >> 1;
  const chh = h >> 1;
  const { y: Y, u: U, v: V } = yuvPlanes(src);
  const { ky, krv, kgu, kgv, kbu, yOffset } = yuvTables(src.color);
  const fill = options.fill ?? 0;
  const replicate = options.border === 'replicate';
  const inv = invertAffine(m);
  const ia = inv[0]!;
  const ib = inv[1]!;
  const itx = inv[2]!;
  const ic = inv[3]!;
  const id = inv[4]!;
  const ity = inv[5]!;
  const d = new Uint8ClampedArray(out.data.buffer, out.data.byteOffset, out.data.length);
  const { width, height } = out;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const rowX = ib * y + itx;
    const rowY = id * y + ity;
    for (let x = 0; x < width; x++, o += 3) {
      const sx = ia * x + rowX;
      const sy = ic * x + rowY;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let luma: number;
      let inside = 1;
      if (x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1) {
        const i = y0 * w + x0;
        luma =
          (Y[i]! * (1 - fx) + Y[i + 1]! * fx) * (1 - fy) + (Y[i + w]! * (1 - fx) + Y[i + w + 1]! * fx) * fy;
      } else {
        if (!replicate && (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h)) {
          d[o] = fill;
          d[o + 1] = fill;
          d[o + 2] = fill;
          continue;
        }
        // Outside neighbours: the nearest edge pixel; with 'constant' their weight goes to `fill` below.
        const xa = clamp(x0, w);
        const xb = clamp(x0 + 1, w);
        const ya = clamp(y0, h);
        const yb = clamp(y0 + 1, h);
        luma = (Y[ya * w + xa]! * (1 - fx) + Y[ya * w + xb]! * fx) * (1 - fy);
        luma += (Y[yb * w + xa]! * (1 - fx) + Y[yb * w + xb]! * fx) * fy;
        if (!replicate) {
          const wx = (x0 >= 0 && x0 < w ? 1 - fx : 0) + (x0 + 1 >= 0 && x0 + 1 < w ? fx : 0);
          const wy = (y0 >= 0 && y0 < h ? 1 - fy : 0) + (y0 + 1 >= 0 && y0 + 1 < h ? fy : 0);
          inside = wx * wy;
        }
      }
      // Chroma at the same point in chroma coordinates, edges replicated.
      const cx = sx / 2;
      const cy = (sy - 0.5) / 2;
      const u0 = Math.floor(cx);
      const v0 = Math.floor(cy);
      const gx = cx - u0;
      const gy = cy - v0;
      const ca = clamp(u0, cw);
      const cb = clamp(u0 + 1, cw);
      const r0 = clamp(v0, chh) * cw;
      const r1 = clamp(v0 + 1, chh) * cw;
      const u =
        (U[r0 + ca]! * (1 - gx) + U[r0 + cb]! * gx) * (1 - gy) +
        (U[r1 + ca]! * (1 - gx) + U[r1 + cb]! * gx) * gy;
      const v =
        (V[r0 + ca]! * (1 - gx) + V[r0 + cb]! * gx) * (1 - gy) +
        (V[r1 + ca]! * (1 - gx) + V[r1 + cb]! * gx) * gy;
      const l = ky * (luma - yOffset);
      let r = l + krv * (v - 128);
      let g = l + kgu * (u - 128) + kgv * (v - 128);
      let b = l + kbu * (u - 128);
      if (inside < 1) {
        r = clamp255(r) * inside + fill * (1 - inside);
        g = clamp255(g) * inside + fill * (1 - inside);
        b = clamp255(b) * inside + fill * (1 - inside);
      }
      d[o] = r;
      d[o + 1] = g;
      d[o + 2] = b;
    }
  }
  return out;
}

function clamp(i: number, size: number): number {
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}

function clamp255(v: number): number {
  return v < 0 ? 0 : Math.min(v, 255);
}
