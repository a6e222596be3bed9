// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// The VACE conditioning (docs/models/wan.md §5.2–§5.5, §5.7): the reference letterbox onto white, the
// unshuffled and time-resized mask, the 96-channel context and the trimming, each checked against
// worked numbers or an independent loop written here.
import type { RgbImage } from '@visage/inference';
import { describe, expect, it } from 'vitest';
import {
  assembleVaceContext,
  dropReferenceFrames,
  letterboxOntoWhite,
  letterboxPlacement,
  vaceMask,
} from '../src/wan/vace.ts';

describe('letterboxPlacement (prepare_source geometry, §5.2)', () => {
  it('fits the long side and centres the short one', () => {
    expect(letterboxPlacement(4, 2, 8, 8)).toEqual({ width: 8, height: 4, left: 0, top: 2 });
    // a 512×512 reference on 832×480: scale 0.9375 → 480×480, left (832 − 480)//2 = 176
    expect(letterboxPlacement(512, 512, 832, 480)).toEqual({ width: 480, height: 480, left: 176, top: 0 });
  });

  it('truncates the float64 product like Python int(): 4×11 on 832×480 is 479 rows high', () => {
    // scale = min(480/11, 832/4) = 480/11; 11·(480/11) = 479.99999999999994 → 479; 4·scale = 174.5… → 174
    expect(letterboxPlacement(4, 11, 832, 480)).toEqual({ width: 174, height: 479, left: 329, top: 0 });
  });

  it('keeps an image of the canvas size as is, and rejects degenerate sizes', () => {
    expect(letterboxPlacement(832, 480, 832, 480)).toEqual({ width: 832, height: 480, left: 0, top: 0 });
    expect(() => letterboxPlacement(0, 4, 8, 8)).toThrow(/srcW/);
    expect(() => letterboxPlacement(10000, 1, 16, 16)).toThrow(/shrinks to nothing/);
  });
});

/** PyTorch bilinear (align_corners=False) of one channel in float64, written from the formula. */
function bilinearReference(src: number[][], outH: number, outW: number): number[][] {
  const inH = src.length;
  const inW = src[0]!.length;
  const tap = (d: number, n: number, m: number) => {
    const s = Math.max((n / m) * (d + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(s), n - 1);
    return { i0, i1: Math.min(i0 + 1, n - 1), l: s - i0 };
  };
  return Array.from({ length: outH }, (_, y) => {
    const ty = tap(y, inH, outH);
    return Array.from({ length: outW }, (_, x) => {
      const tx = tap(x, inW, outW);
      const top = src[ty.i0]![tx.i0]! * (1 - tx.l) + src[ty.i0]![tx.i1]! * tx.l;
      const bottom = src[ty.i1]![tx.i0]! * (1 - tx.l) + src[ty.i1]![tx.i1]! * tx.l;
      return top * (1 - ty.l) + bottom * ty.l;
    });
  });
}

const image = (width: number, height: number, data: Uint8Array, channels: 3 | 4 = 3): RgbImage => ({
  width,
  height,
  channels,
  data,
});

describe('letterboxOntoWhite', () => {
  it('a black-to-white 2×1 ramp on a 4×2 canvas: −1, −0.5, 0.5, 1 in each row', () => {
    const rgb = Uint8Array.of(0, 0, 0, 255, 255, 255);
    const out = letterboxOntoWhite(image(2, 1, rgb), 4, 2);
    expect(out.length).toBe(3 * 2 * 4);
    for (let ch = 0; ch < 3; ch++) {
      for (let y = 0; y < 2; y++) {
        expect(Array.from(out.subarray(ch * 8 + y * 4, ch * 8 + y * 4 + 4))).toEqual([-1, -0.5, 0.5, 1]);
      }
    }
  });

  it('white borders are exactly 1.0; the image sits where the reference puts it; CHW channels', () => {
    // A pure red 4×11 image on 832×480 (see letterboxPlacement): columns 329…502, rows 0…478.
    const rgb = new Uint8Array(4 * 11 * 3);
    for (let p = 0; p < 44; p++) rgb[3 * p] = 255;
    const out = letterboxOntoWhite(image(4, 11, rgb), 832, 480);
    const area = 832 * 480;
    const inside = (x: number, y: number) => x >= 329 && x < 329 + 174 && y < 479;
    let checked = 0;
    for (let y = 0; y < 480; y++) {
      for (let x = 0; x < 832; x++) {
        const expected = inside(x, y) ? [1, -1, -1] : [1, 1, 1];
        for (let ch = 0; ch < 3; ch++) {
          if (out[ch * area + y * 832 + x] !== expected[ch]) {
            throw new Error(`pixel (${x}, ${y}) channel ${ch}: ${out[ch * area + y * 832 + x]}`);
          }
        }
        checked++;
      }
    }
    expect(checked).toBe(area);
  });

  it('a flat colour keeps its value: byte 51 → (0.2 − 0.5)/0.5 = −0.6', () => {
    const rgb = new Uint8Array(3 * 5 * 3).fill(51);
    const out = letterboxOntoWhite(image(3, 5, rgb), 16, 16);
    // scale 16/5 → 9×16 at left 3
    expect(out[5 * 16 + 3]).toBeCloseTo(-0.6, 6);
    expect(out[2 * 256 + 15 * 16 + 11]).toBeCloseTo(-0.6, 6);
    expect(out[5 * 16 + 2]).toBe(1);
    expect(out[5 * 16 + 12]).toBe(1);
  });

  it('matches an independent bilinear resize of a random image', () => {
    for (const [sw, sh, dw, dh] of [
      [7, 5, 16, 16],
      [13, 3, 32, 16],
      [9, 20, 16, 32],
    ] as const) {
      const rgb = Uint8Array.from({ length: sw * sh * 3 }, (_, i) => (i * 97 + 13) % 256);
      const out = letterboxOntoWhite(image(sw, sh, rgb), dw, dh);
      const p = letterboxPlacement(sw, sh, dw, dh);
      for (let ch = 0; ch < 3; ch++) {
        const src = Array.from({ length: sh }, (_, y) =>
          Array.from({ length: sw }, (_, x) => (rgb[(y * sw + x) * 3 + ch]! / 255 - 0.5) / 0.5),
        );
        const expected = bilinearReference(src, p.height, p.width);
        for (let y = 0; y < p.height; y++) {
          for (let x = 0; x < p.width; x++) {
            const got = out[ch * dw * dh + (p.top + y) * dw + p.left + x]!;
            if (Math.abs(got - expected[y]![x]!) > 2e-6) {
              throw new Error(`${sw}×${sh}→${dw}×${dh} (${x}, ${y}) ch ${ch}: ${got} vs ${expected[y]![x]}`);
            }
          }
        }
      }
    }
  });

  it('ignores an alpha channel', () => {
    const rgba = Uint8Array.of(0, 0, 0, 7, 255, 255, 255, 200);
    const out = letterboxOntoWhite(image(2, 1, rgba, 4), 4, 2);
    expect(Array.from(out.subarray(0, 4))).toEqual([-1, -0.5, 0.5, 1]);
  });

  it('rejects a buffer of the wrong size', () => {
    expect(() => letterboxOntoWhite(image(2, 2, new Uint8Array(10)), 4, 4)).toThrow(/12 bytes/);
  });
});

describe('vaceMask (§5.4)', () => {
  it('R2V: zeros for the references, ones for the video frames, [64, N + T, H/8, W/8]', () => {
    const m = vaceMask({ frames: 9, height: 32, width: 16, references: 2 });
    const [T, h, w] = [3, 4, 2];
    const plane = h * w;
    expect(m.length).toBe(64 * (2 + T) * plane);
    for (let c = 0; c < 64; c++) {
      for (let f = 0; f < 2 + T; f++) {
        const block = m.subarray((c * (2 + T) + f) * plane, (c * (2 + T) + f + 1) * plane);
        expect(block.every((v) => v === (f < 2 ? 0 : 1))).toBe(true);
      }
    }
  });

  it('unshuffles 8×8 blocks: channel dy·8 + dx holds pixel (8y + dy, 8x + dx); time by nearest-exact', () => {
    const [F, H, W, N] = [5, 16, 32, 1];
    const mask = Float32Array.from({ length: F * H * W }, (_, i) => i);
    const m = vaceMask({ frames: F, height: H, width: W, references: N, mask });
    const [T, h, w] = [2, 2, 4];
    // nearest-exact 5 → 2: ⌊(t + 0.5)·2.5⌋ = 1, 3
    const source = [1, 3];
    for (let dy = 0; dy < 8; dy++) {
      for (let dx = 0; dx < 8; dx++) {
        for (let t = 0; t < T; t++) {
          for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
              const got = m[(((dy * 8 + dx) * (N + T) + N + t) * h + y) * w + x];
              const want = (source[t]! * H + 8 * y + dy) * W + 8 * x + dx;
              if (got !== want) throw new Error(`(${dy}, ${dx}, ${t}, ${y}, ${x}): ${got} vs ${want}`);
            }
          }
        }
      }
    }
    // the reference frame is zero
    expect(m.subarray(0, h * w).every((v) => v === 0)).toBe(true);
  });

  it('picks the §5.4 source frames for 81 → 21', () => {
    const [F, H, W] = [81, 16, 16];
    const mask = new Float32Array(F * H * W);
    for (let f = 0; f < F; f++) mask.fill(f, f * H * W, (f + 1) * H * W);
    const m = vaceMask({ frames: F, height: H, width: W, references: 0, mask });
    const picked = Array.from({ length: 21 }, (_, t) => m[t * 4]); // channel 0, frame t, pixel 0
    expect(picked).toEqual([1, 5, 9, 13, 17, 21, 25, 28, 32, 36, 40, 44, 48, 52, 55, 59, 63, 67, 71, 75, 79]);
  });

  it('rejects sizes that are not multiples of 16 and wrong mask lengths', () => {
    expect(() => vaceMask({ frames: 5, height: 24, width: 16, references: 0 })).toThrow(/height/);
    expect(() =>
      vaceMask({ frames: 5, height: 16, width: 16, references: 0, mask: new Float32Array(3) }),
    ).toThrow(/\[5, 16, 16\]/);
  });
});

describe('assembleVaceContext (§5.5)', () => {
  const [T, h, w] = [3, 2, 2];
  const plane = h * w;
  const refs = [0, 1].map((i) =>
    Float32Array.from({ length: 16 * plane }, (_, j) => 1000 * (i + 1) + Math.floor(j / plane)),
  );
  const control = Float32Array.from(
    { length: 16 * T * plane },
    (_, j) => 0.5 + Math.floor(j / (T * plane)) / 100,
  );

  /** Value of channel c, frame f, pixel 0. */
  const at = (ctx: Float32Array, c: number, f: number) => ctx[(c * (2 + T) + f) * plane];

  it('inactive ‖ reactive ‖ mask, references first in the given order', () => {
    const ctx = assembleVaceContext({ refLatents: refs, controlLatent: control, T, h, w });
    expect(ctx.length).toBe(96 * (2 + T) * plane);
    for (let c = 0; c < 16; c++) {
      expect(at(ctx, c, 0)).toBe(1000 + c);
      expect(at(ctx, c, 1)).toBe(2000 + c);
      for (let t = 0; t < T; t++) expect(at(ctx, c, 2 + t)).toBe(Math.fround(0.5 + c / 100));
      // reactive half: zero for references, the control latent again for the video (R2V)
      expect(at(ctx, 16 + c, 0)).toBe(0);
      expect(at(ctx, 16 + c, 1)).toBe(0);
      for (let t = 0; t < T; t++) expect(at(ctx, 16 + c, 2 + t)).toBe(Math.fround(0.5 + c / 100));
    }
    for (let c = 32; c < 96; c++) {
      expect([0, 1, 2, 3, 4].map((f) => at(ctx, c, f))).toEqual([0, 0, 1, 1, 1]);
    }
  });

  it('the default mask equals vaceMask for R2V; an explicit reactive latent goes to channels 16–31', () => {
    const mask = vaceMask({ frames: 4 * T - 3, height: 8 * h, width: 8 * w, references: 2 });
    const a = assembleVaceContext({ refLatents: refs, controlLatent: control, T, h, w });
    const b = assembleVaceContext({ refLatents: refs, controlLatent: control, mask, T, h, w });
    expect(b).toEqual(a);
    const reactive = control.map((v) => -v);
    const c = assembleVaceContext({
      refLatents: refs,
      controlLatent: control,
      reactiveLatent: reactive,
      T,
      h,
      w,
    });
    expect(at(c, 16 + 3, 2)).toBe(Math.fround(-0.53));
    expect(at(c, 3, 2)).toBe(Math.fround(0.53));
  });

  it('without references it is the video part alone', () => {
    const ctx = assembleVaceContext({ refLatents: [], controlLatent: control, T, h, w });
    expect(ctx.length).toBe(96 * T * plane);
    expect(ctx[(5 * T + 1) * plane]).toBe(Math.fround(0.55));
    expect(ctx[(40 * T + 2) * plane]).toBe(1);
  });

  it('rejects a reference with more than one frame', () => {
    expect(() =>
      assembleVaceContext({
        refLatents: [new Float32Array(16 * 2 * plane)],
        controlLatent: control,
        T,
        h,
        w,
      }),
    ).toThrow(/refLatents\[0\]/);
  });
});

describe('dropReferenceFrames (§5.7)', () => {
  it('keeps frames N… of every channel', () => {
    const [N, T, h, w] = [2, 3, 1, 2];
    const frames = N + T;
    // value = 10·channel + frame
    const z = Float32Array.from({ length: 16 * frames * h * w }, (_, j) => {
      const c = Math.floor(j / (frames * h * w));
      const f = Math.floor(j / (h * w)) % frames;
      return 10 * c + f;
    });
    const out = dropReferenceFrames(z, N, T, h, w);
    expect(out.length).toBe(16 * T * h * w);
    for (let c = 0; c < 16; c++) {
      for (let t = 0; t < T; t++) {
        expect(Array.from(out.subarray((c * T + t) * 2, (c * T + t + 1) * 2))).toEqual([
          10 * c + N + t,
          10 * c + N + t,
        ]);
      }
    }
  });
});
