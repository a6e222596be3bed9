// The yuv420p conversions checked against ffmpeg's own (swscale with accurate rounding), the reference
// every player and encoder here agrees with, for each matrix and range; and a paste into a frame that
// leaves every untouched pixel bit-identical and puts the pasted colour where ffmpeg reads it back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@visage/ffmpeg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  affine,
  decodeImage,
  FixedYuvPaste,
  letterbox,
  pasteBack,
  type RgbImage,
  rgbToYuv,
  warpAffine,
  type YuvColor,
  type YuvImage,
  yuvPlanes,
  yuvToRgb,
} from '../src/index.ts';
import { ASTRONAUT } from '../src/testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'visage-yuv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLORS: YuvColor[] = [
  { matrix: 'bt601', range: 'tv' },
  { matrix: 'bt709', range: 'tv' },
  { matrix: 'bt709', range: 'pc' },
  { matrix: 'bt2020', range: 'tv' },
  { matrix: 'bt601', range: 'pc' },
];

// Flat 8×8 blocks in saturated, dark, light and skin colours: inside a block chroma siting and
// filtering do not matter, so the numbers compared are the matrix and the rounding alone.
const BLOCK = 16;
const GRID = [8, 6];
const W = BLOCK * (GRID[0] as number);
const H = BLOCK * (GRID[1] as number);
function blocks(): RgbImage {
  const data = new Uint8Array(W * H * 3);
  const palette: number[][] = [];
  for (let i = 0; i < 48; i++) palette.push([(i * 97) % 256, (i * 53 + 40) % 256, (i * 181 + 7) % 256]);
  palette[0] = [0, 0, 0];
  palette[1] = [255, 255, 255];
  palette[2] = [255, 0, 0];
  palette[3] = [0, 255, 0];
  palette[4] = [0, 0, 255];
  palette[5] = [224, 172, 138];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const colour = palette[Math.floor(y / BLOCK) * (GRID[0] as number) + Math.floor(x / BLOCK)] as number[];
      data.set(colour, (y * W + x) * 3);
    }
  }
  return { width: W, height: H, channels: 3, data };
}

/** ffmpeg's conversion of raw frames between rgb24 and yuv420p in `color`. */
async function ffmpegConvert(
  data: Uint8Array,
  from: 'rgb24' | 'yuv420p',
  width: number,
  height: number,
  color: YuvColor,
): Promise<Uint8Array> {
  const input = join(dir, `in-${from}-${width}x${height}.raw`);
  const output = join(dir, `out-${from}-${width}x${height}.raw`);
  writeFileSync(input, data);
  const side = from === 'rgb24' ? 'out' : 'in';
  const matrix = color.matrix === 'bt2020' ? 'bt2020' : color.matrix;
  const scale = `scale=${side}_color_matrix=${matrix}:${side}_range=${color.range}:flags=accurate_rnd+full_chroma_int+full_chroma_inp`;
  const to = from === 'rgb24' ? 'yuv420p' : 'rgb24';
  await run(
    'ffmpeg',
    [
      ...['-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', from, '-s', `${width}x${height}`, '-i', input],
      ...['-vf', `${scale},format=${to}`, '-f', 'rawvideo', '-pix_fmt', to, output],
    ],
    'ffmpeg conversion',
  );
  return new Uint8Array(readFileSync(output));
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>, keep: (i: number) => boolean = () => true) => {
  let max = 0;
  for (let i = 0; i < a.length; i++)
    if (keep(i)) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
};

describe.each(COLORS)('yuv420p $matrix $range', (color) => {
  const rgb = blocks();
  let reference: YuvImage;
  beforeAll(async () => {
    reference = {
      format: 'yuv420p',
      width: W,
      height: H,
      color,
      data: await ffmpegConvert(rgb.data, 'rgb24', W, H, color),
    };
  });

  it('converts RGB to yuv420p as ffmpeg does (within 1 level)', () => {
    const ours = yuvPlanes(rgbToYuv(rgb, color));
    const theirs = yuvPlanes(reference);
    expect(maxDiff(ours.y, theirs.y)).toBeLessThanOrEqual(1);
    // Chroma samples away from block edges: ffmpeg filters across blocks when it subsamples.
    const cw = W / 2;
    const interior = (i: number) => {
      const cx = (i % cw) % (BLOCK / 2);
      const cy = Math.floor(i / cw) % (BLOCK / 2);
      return cx >= 2 && cx <= 5 && cy >= 2 && cy <= 5;
    };
    expect(maxDiff(ours.u, theirs.u, interior)).toBeLessThanOrEqual(1);
    expect(maxDiff(ours.v, theirs.v, interior)).toBeLessThanOrEqual(1);
  });

  it('converts yuv420p to RGB as ffmpeg does (within 1 level inside the blocks)', async () => {
    // Y, U and V flat per block, spread over the whole range (clamped colours included).
    const frame: YuvImage = {
      format: 'yuv420p',
      width: W,
      height: H,
      color,
      data: new Uint8Array(W * H * 1.5),
    };
    const { y: Y, u: U, v: V } = yuvPlanes(frame);
    const lo = color.range === 'tv' ? 16 : 0;
    const span = color.range === 'tv' ? 220 : 256;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const b = Math.floor(y / BLOCK) * (GRID[0] as number) + Math.floor(x / BLOCK);
        Y[y * W + x] = lo + ((b * 37) % span);
        if (x % 2 === 0 && y % 2 === 0) {
          U[(y / 2) * (W / 2) + x / 2] = lo + ((b * 59 + 100) % span);
          V[(y / 2) * (W / 2) + x / 2] = lo + ((b * 83 + 60) % span);
        }
      }
    }
    const theirs = await ffmpegConvert(frame.data, 'yuv420p', W, H, color);
    const ours = yuvToRgb(frame).data;
    const interior = (i: number) => {
      const p = Math.floor(i / 3);
      const x = (p % W) % BLOCK;
      const y = Math.floor(p / W) % BLOCK;
      return x >= 4 && x <= 11 && y >= 4 && y <= 11;
    };
    expect(maxDiff(ours, theirs, interior)).toBeLessThanOrEqual(1);
  });

  it('gives the colours back after a round trip through yuv420p', () => {
    const back = yuvToRgb(rgbToYuv(rgb, color)).data;
    // 8-bit tv range has fewer levels than RGB: up to 2 levels of rounding per channel.
    expect(maxDiff(back, rgb.data)).toBeLessThanOrEqual(color.range === 'tv' ? 2 : 1);
  });
});

describe('yuv420p frames in the image ops', () => {
  let photo: RgbImage;
  let frame: YuvImage;
  let frameRgb: Uint8Array; // ffmpeg's reading of `frame`
  const color: YuvColor = { matrix: 'bt709', range: 'tv' };
  beforeAll(async () => {
    const full = await decodeImage(ASTRONAUT);
    photo = warpAffine(full, affine(0.5, 0, 0, 0, 0.5, 0), 256, 256);
    const data = await ffmpegConvert(photo.data, 'rgb24', 256, 256, color);
    frame = { format: 'yuv420p', width: 256, height: 256, color, data };
    frameRgb = await ffmpegConvert(data, 'yuv420p', 256, 256, color);
  });

  it('samples a warp from the frame as from ffmpeg’s RGB of it', () => {
    const m = affine(0.6, 0.2, 40, -0.2, 0.6, 30); // rotated, shrunk, partly outside the frame
    const rgbFrame: RgbImage = { width: 256, height: 256, channels: 3, data: frameRgb };
    const fromYuv = warpAffine(frame, m, 160, 160, { border: 'constant', fill: 0 });
    const fromRgb = warpAffine(rgbFrame, m, 160, 160, { border: 'constant', fill: 0 });
    let sum = 0;
    for (let i = 0; i < fromYuv.data.length; i++)
      sum += Math.abs((fromYuv.data[i] as number) - (fromRgb.data[i] as number));
    expect(sum / fromYuv.data.length).toBeLessThan(1.5);
    // Outside the frame both are the fill.
    expect(Array.from(fromYuv.data.subarray(0, 3))).toEqual([0, 0, 0]);
  });

  it('letterboxes a frame at the model size with the same geometry as an RGB image', () => {
    const rgbFrame: RgbImage = { width: 256, height: 256, channels: 3, data: frameRgb };
    const a = letterbox({ ...frame, data: frame.data }, { width: 128, height: 96 });
    const b = letterbox(rgbFrame, { width: 128, height: 96 });
    expect([a.scale, a.padX, a.padY]).toEqual([b.scale, b.padX, b.padY]);
    expect(a.image.data.length).toBe(128 * 96 * 3);
    expect(maxDiff(a.image.data.subarray(0, 16 * 3), b.image.data.subarray(0, 16 * 3))).toBe(0); // padding
    let sum = 0;
    for (let i = 0; i < a.image.data.length; i++)
      sum += Math.abs((a.image.data[i] as number) - (b.image.data[i] as number));
    expect(sum / a.image.data.length).toBeLessThan(1.5);
  });

  it('pastes a patch: its colour reads back through ffmpeg, every untouched pixel is bit-identical', async () => {
    const target = { ...frame, data: Uint8Array.from(frame.data) };
    const patch: RgbImage = { width: 64, height: 48, channels: 3, data: new Uint8Array(64 * 48 * 3) };
    const colour = [200, 80, 40];
    for (let i = 0; i < 64 * 48; i++) patch.data.set(colour, i * 3);
    const mask = new Float32Array(64 * 48).fill(1);
    // At an odd position, so the pasted area starts and ends inside 2×2 chroma blocks.
    const region = pasteBack(target, patch, affine(1, 0, 33, 0, 1, 21), mask);
    expect(region).toEqual({ x: 32, y: 20, width: 66, height: 50 });

    // Pixels the blend reaches: (33..96) × (21..68) at full weight, the one-pixel fringe around it
    // at partial weight (the mask is sampled with 0 outside the crop).
    const before = yuvPlanes(frame);
    const after = yuvPlanes(target);
    const touched = (x: number, y: number) => x >= 32 && x <= 97 && y >= 20 && y <= 69;
    let changed = 0;
    for (let y = 0; y < 256; y++) {
      for (let x = 0; x < 256; x++) {
        const i = y * 256 + x;
        if (!touched(x, y)) expect(after.y[i]).toBe(before.y[i]);
        else if (after.y[i] !== before.y[i]) changed++;
      }
    }
    expect(changed).toBeGreaterThan(64 * 48 * 0.9);
    for (let cy = 0; cy < 128; cy++) {
      for (let cx = 0; cx < 128; cx++) {
        const blockTouched = touched(2 * cx, 2 * cy) || touched(2 * cx + 1, 2 * cy + 1);
        if (blockTouched) continue;
        const i = cy * 128 + cx;
        expect(after.u[i]).toBe(before.u[i]);
        expect(after.v[i]).toBe(before.v[i]);
      }
    }

    // ffmpeg reads the patch's colour back (inside, away from the blended fringe and chroma edges).
    const readBack = await ffmpegConvert(target.data, 'yuv420p', 256, 256, color);
    for (const [x, y] of [
      [41, 29],
      [64, 44],
      [88, 60],
    ] as const) {
      const o = (y * 256 + x) * 3;
      const got = Array.from(readBack.subarray(o, o + 3));
      for (const [c, value] of got.entries()) {
        expect(Math.abs(value - (colour[c] as number))).toBeLessThanOrEqual(2);
      }
    }
  });

  it('pastes the same crop every frame into a copy of a yuv420p background (FixedYuvPaste)', () => {
    const background = rgbToYuv(photo, color);
    // A 64² crop, flat colour, scaled ×1.5 and turned into the frame around (120, 110); mask 1 inside.
    const m = affine(
      1.5 * Math.cos(0.3),
      -1.5 * Math.sin(0.3),
      90,
      1.5 * Math.sin(0.3),
      1.5 * Math.cos(0.3),
      60,
    );
    const paste = new FixedYuvPaste(
      background,
      { width: 64, height: 64 },
      m,
      new Float32Array(64 * 64).fill(1),
    );
    const planes = new Float32Array(3 * 64 * 64);
    planes.fill(0.8, 0, 4096);
    planes.fill(0.3, 4096, 8192);
    planes.fill(0.2, 8192);
    for (let frame = 0; frame < 2; frame++) {
      const out = { ...background, data: Uint8Array.from(background.data) };
      paste.apply(out, planes);
      const { x, y, width, height } = paste.window;
      const before = yuvPlanes(background);
      const after = yuvPlanes(out);
      for (let py = 0; py < 256; py++) {
        for (let px = 0; px < 256; px++) {
          const inside = px >= x && px < x + width && py >= y && py < y + height;
          if (!inside) expect(after.y[py * 256 + px]).toBe(before.y[py * 256 + px]);
        }
      }
      // The crop's centre (32, 32) lands at m·(32, 32); its colour is the planes' × 255.
      const [cx, cy] = [
        Math.round(90 + 1.5 * (32 * Math.cos(0.3) - 32 * Math.sin(0.3))),
        Math.round(60 + 1.5 * (32 * Math.sin(0.3) + 32 * Math.cos(0.3))),
      ];
      const rgb = yuvToRgb(out, { x: cx & ~1, y: cy & ~1, width: 2, height: 2 }).data;
      for (const [c, value] of [204, 77, 51].entries())
        expect(Math.abs((rgb[c] as number) - value)).toBeLessThanOrEqual(2);
    }
  });

  it('refuses odd sides and wrong buffer sizes', () => {
    expect(() =>
      yuvToRgb({ format: 'yuv420p', width: 3, height: 2, color, data: new Uint8Array(9) }),
    ).toThrow(/sides must be even/);
    expect(() =>
      yuvToRgb({ format: 'yuv420p', width: 4, height: 2, color, data: new Uint8Array(11) }),
    ).toThrow(/needs 12 bytes, data has 11/);
  });
});
