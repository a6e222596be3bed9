// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loop are in bounds by construction
// pasteBack into a yuv420p frame (docs/video.md §2), one 2×2 chroma block at a time: where the mask
// gives a pixel weight, the frame's pixel is read as RGB (the block's chroma), blended exactly as the
// RGB paste blends, and converted back; a pixel the blend leaves as it was keeps its Y, a block with
// no changed pixel keeps its chroma. Blocks the mask does not reach are never converted at all, so
// the rest of the frame, and every unchanged pixel, stays exactly what the decoder gave.
import type { CropSampler, Rect } from './blend.ts';
import { type Affine, invertAffine } from './transform.ts';
import { type YuvImage, yuvPlanes, yuvTables } from './yuv.ts';

export function pasteBackYuv(frame: YuvImage, region: Rect, sampler: CropSampler, cropToFrame: Affine): Rect {
  if (region.width === 0 || region.height === 0) return region;
  const inv = invertAffine(cropToFrame);
  const t = yuvTables(frame.color);
  const { y: Y, u: U, v: V } = yuvPlanes(frame);
  const Yc = new Uint8ClampedArray(Y.buffer, Y.byteOffset, Y.length);
  const Uc = new Uint8ClampedArray(U.buffer, U.byteOffset, U.length);
  const Vc = new Uint8ClampedArray(V.buffer, V.byteOffset, V.length);
  const rgb = new Uint8ClampedArray(3); // a frame pixel as RGB, rounded and clamped as yuvToRgb gives it
  const out = new Float64Array(12); // the block's four pixels after the blend
  const w = frame.width;
  const cw = w >> 1;
  const v = sampler.rgb;
  const xEnd = region.x + region.width;
  const yEnd = region.y + region.height;
  const alpha = new Float64Array(4);
  const source = new Float64Array(12); // the crop's colour at each of the block's pixels
  for (let by = region.y & ~1; by < yEnd; by += 2) {
    for (let bx = region.x & ~1; bx < xEnd; bx += 2) {
      let reached = false;
      for (let k = 0; k < 4; k++) {
        const x = bx + (k & 1);
        const y = by + (k >> 1);
        const inside = x >= region.x && x < xEnd && y >= region.y && y < yEnd;
        const a = inside
          ? sampler.at(inv[0]! * x + inv[1]! * y + inv[2]!, inv[3]! * x + inv[4]! * y + inv[5]!, x, y)
          : 0;
        alpha[k] = a;
        if (a === 0) continue;
        reached = true;
        source[k * 3] = v[0]!;
        source[k * 3 + 1] = v[1]!;
        source[k * 3 + 2] = v[2]!;
      }
      if (!reached) continue; // the mask does not reach this block: nothing converted
      const c = (by >> 1) * cw + (bx >> 1);
      const u = U[c]!;
      const vv = V[c]!;
      const gu = t.gu[u]! + t.gv[vv]!;
      let changed = false;
      for (let k = 0; k < 4; k++) {
        const x = bx + (k & 1);
        const y = by + (k >> 1);
        const l = t.y[Y[y * w + x]!]!;
        rgb[0] = l + t.rv[vv]!;
        rgb[1] = l + gu;
        rgb[2] = l + t.bu[u]!;
        const a = alpha[k]!;
        let same = true;
        for (let ch = 0; ch < 3; ch++) {
          const b = rgb[ch]!;
          const blended = a === 0 ? b : (b + a * (source[k * 3 + ch]! - b) + 0.5) | 0;
          out[k * 3 + ch] = blended;
          if (blended !== b) same = false;
        }
        if (same) continue;
        changed = true;
        Yc[y * w + x] = t.yOffset + t.yr * out[k * 3]! + t.yg * out[k * 3 + 1]! + t.yb * out[k * 3 + 2]!;
      }
      if (!changed) continue;
      const r = out[0]! + out[3]! + out[6]! + out[9]!;
      const g = out[1]! + out[4]! + out[7]! + out[10]!;
      const b = out[2]! + out[5]! + out[8]! + out[11]!;
      Uc[c] = 128 + (t.ur * r + t.ug * g + t.ub * b) / 4;
      Vc[c] = 128 + (t.vr * r + t.vg * g + t.vb * b) / 4;
    }
  }
  return region;
}
