// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loops are in bounds by construction
// Video frames in their own pixel format, yuv420p (docs/video.md §2): a full-resolution luma plane
// and two chroma planes at half width and height, in the matrix (BT.601/709/2020) and range (tv:
// Y 16–235, C 16–240; pc: 0–255) the file declares. Video jobs keep frames in this form end to end
// and convert to RGB only what a model needs (yuv-sample.ts) and back only the pixels a paste changed
// (yuv-paste.ts), so a frame the pipeline does not touch reaches the encoder bit-identical.
import type { Rect } from './blend.ts';
import { assertImage, type RgbImage } from './image.ts';

export type YuvMatrix = 'bt601' | 'bt709' | 'bt2020';
export type YuvRange = 'tv' | 'pc';

export interface YuvColor {
  matrix: YuvMatrix;
  range: YuvRange;
}

/** A yuv420p picture: Y (width·height), then U and V (width/2 · height/2 each). Sides are even. */
export interface YuvImage {
  format: 'yuv420p';
  width: number;
  height: number;
  color: YuvColor;
  data: Uint8Array;
}

/** What the frame-level image ops take: an RGB(A) image or a yuv420p frame. */
export type Picture = RgbImage | YuvImage;

export function isYuv(picture: Picture): picture is YuvImage {
  return (picture as YuvImage).format === 'yuv420p';
}

export function yuvFrameSize(width: number, height: number): number {
  return width * height * 1.5;
}

/** The three planes of `img` as views of its buffer. */
export function yuvPlanes(img: YuvImage): { y: Uint8Array; u: Uint8Array; v: Uint8Array } {
  const { width, height, data } = img;
  const luma = width * height;
  const chroma = luma / 4;
  return {
    y: data.subarray(0, luma),
    u: data.subarray(luma, luma + chroma),
    v: data.subarray(luma + chroma, luma + 2 * chroma),
  };
}

export function assertYuv(img: YuvImage, what = 'yuv420p frame'): void {
  const { width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${what}: size must be positive integers (got ${width}×${height})`);
  }
  if (width % 2 || height % 2) throw new RangeError(`${what}: sides must be even (got ${width}×${height})`);
  if (img.data.length !== yuvFrameSize(width, height)) {
    throw new RangeError(
      `${what}: ${width}×${height} yuv420p needs ${yuvFrameSize(width, height)} bytes, data has ${img.data.length}`,
    );
  }
}

export function assertPicture(picture: Picture, what: string): void {
  if (isYuv(picture)) assertYuv(picture, what);
  else assertImage(picture, what);
}

// Kr and Kb of each matrix (ITU-R BT.601, BT.709, BT.2020 non-constant luminance); Kg = 1 − Kr − Kb.
const K: Record<YuvMatrix, { r: number; b: number }> = {
  bt601: { r: 0.299, b: 0.114 },
  bt709: { r: 0.2126, b: 0.0722 },
  bt2020: { r: 0.2627, b: 0.0593 },
};

/**
 * The conversion of one matrix and range as lookup tables (floats; stores into a Uint8ClampedArray
 * round and clamp). To RGB: R = y[Y] + rv[V], G = y[Y] + gu[U] + gv[V], B = y[Y] + bu[U]. From RGB:
 * Y = yOffset + yr·R + yg·G + yb·B, U = 128 + ur·R + ug·G + ub·B, V = 128 + vr·R + vg·G + vb·B.
 */
export interface YuvTables {
  y: Float32Array;
  rv: Float32Array;
  gu: Float32Array;
  gv: Float32Array;
  bu: Float32Array;
  /** The same conversion as numbers, for fractional (interpolated) samples: R = ky·(Y − yOffset) + krv·(V − 128)… */
  ky: number;
  krv: number;
  kgu: number;
  kgv: number;
  kbu: number;
  yOffset: number;
  yr: number;
  yg: number;
  yb: number;
  ur: number;
  ug: number;
  ub: number;
  vr: number;
  vg: number;
  vb: number;
}

const tables = new Map<string, YuvTables>();

/** The tables for `color` (built once per matrix and range). */
export function yuvTables(color: YuvColor): YuvTables {
  const key = `${color.matrix}/${color.range}`;
  let t = tables.get(key);
  if (t) return t;
  const { r: kr, b: kb } = K[color.matrix];
  if (!kr) throw new RangeError(`Unknown YUV matrix "${color.matrix}"`);
  const kg = 1 - kr - kb;
  // tv range: Y = 16 + 219·E'Y, C = 128 + 224·E'C; pc range: Y = 255·E'Y, C = 128 + 255·E'C (JFIF).
  const tv = color.range === 'tv';
  const yOffset = tv ? 16 : 0;
  const yScale = tv ? 219 / 255 : 1;
  const cScale = tv ? 224 / 255 : 1;
  const y = new Float32Array(256);
  const rv = new Float32Array(256);
  const gu = new Float32Array(256);
  const gv = new Float32Array(256);
  const bu = new Float32Array(256);
  const ky = 1 / yScale;
  const krv = (2 * (1 - kr)) / cScale;
  const kbu = (2 * (1 - kb)) / cScale;
  const kgu = (-2 * (1 - kb) * kb) / kg / cScale;
  const kgv = (-2 * (1 - kr) * kr) / kg / cScale;
  for (let i = 0; i < 256; i++) {
    y[i] = ky * (i - yOffset);
    rv[i] = krv * (i - 128);
    bu[i] = kbu * (i - 128);
    gu[i] = kgu * (i - 128);
    gv[i] = kgv * (i - 128);
  }
  const ub = cScale / 2;
  const vr = cScale / 2;
  t = {
    y,
    rv,
    gu,
    gv,
    bu,
    ky,
    krv,
    kgu,
    kgv,
    kbu,
    yOffset,
    yr: yScale * kr,
    yg: yScale * kg,
    yb: yScale * kb,
    // U = cScale·(B − E'Y)/(2(1 − Kb)), V = cScale·(R − E'Y)/(2(1 − Kr)), E'Y = Kr·R + Kg·G + Kb·B.
    ur: (-ub * kr) / (1 - kb),
    ug: (-ub * kg) / (1 - kb),
    ub,
    vr,
    vg: (-vr * kg) / (1 - kr),
    vb: (-vr * kb) / (1 - kr),
  };
  tables.set(key, t);
  return t;
}

/**
 * Pixels `region` of `src` as RGB (each pixel takes the chroma of its 2×2 block, so converting the
 * result back with {@link writeRgbToYuv} gives the block's chroma again). Writes into `out` when given
 * (region-sized, 3 channels).
 */
export function yuvToRgb(src: YuvImage, region: Rect = fullRect(src), out?: RgbImage): RgbImage {
  assertYuv(src, 'yuvToRgb source');
  checkRect(src, region, 'yuvToRgb');
  const { x: rx, y: ry, width, height } = region;
  const rgb = out ?? { width, height, channels: 3 as const, data: new Uint8Array(width * height * 3) };
  if (rgb.width !== width || rgb.height !== height || rgb.channels !== 3) {
    throw new RangeError(
      `yuvToRgb: out is ${rgb.width}×${rgb.height}×${rgb.channels}, expected ${width}×${height}×3`,
    );
  }
  const t = yuvTables(src.color);
  const { y: Y, u: U, v: V } = yuvPlanes(src);
  const d = new Uint8ClampedArray(rgb.data.buffer, rgb.data.byteOffset, rgb.data.length);
  const cw = src.width >> 1;
  for (let j = 0, o = 0; j < height; j++) {
    const row = (ry + j) * src.width;
    const crow = ((ry + j) >> 1) * cw;
    for (let i = 0; i < width; i++, o += 3) {
      const x = rx + i;
      const c = crow + (x >> 1);
      const u = U[c]!;
      const v = V[c]!;
      const l = t.y[Y[row + x]!]!;
      d[o] = l + t.rv[v]!;
      d[o + 1] = l + t.gu[u]! + t.gv[v]!;
      d[o + 2] = l + t.bu[u]!;
    }
  }
  return rgb;
}

/**
 * Writes the RGB image `rgb` into `dst` at (`x`, `y`) (both even): Y per pixel, U and V from the mean
 * of each 2×2 block. With `before` (what {@link yuvToRgb} gave for the same place), only pixels whose
 * RGB changed get a new Y and only blocks with a changed pixel new chroma: the rest stay bit-identical.
 * Returns how many pixels were rewritten.
 */
export function writeRgbToYuv(dst: YuvImage, rgb: RgbImage, x: number, y: number, before?: RgbImage): number {
  assertYuv(dst, 'writeRgbToYuv target');
  assertImage(rgb, 'writeRgbToYuv source');
  if (rgb.channels !== 3) throw new RangeError('writeRgbToYuv: the source must be RGB (3 channels)');
  if (x % 2 || y % 2 || rgb.width % 2 || rgb.height % 2) {
    throw new RangeError(
      `writeRgbToYuv: the region must start and end on even pixels (got ${x},${y} ${rgb.width}×${rgb.height})`,
    );
  }
  checkRect(dst, { x, y, width: rgb.width, height: rgb.height }, 'writeRgbToYuv');
  if (before && (before.width !== rgb.width || before.height !== rgb.height || before.channels !== 3)) {
    throw new RangeError('writeRgbToYuv: `before` must have the source size, RGB');
  }
  const t = yuvTables(dst.color);
  const { y: Y, u: U, v: V } = yuvPlanes(dst);
  const Yc = new Uint8ClampedArray(Y.buffer, Y.byteOffset, Y.length);
  const Uc = new Uint8ClampedArray(U.buffer, U.byteOffset, U.length);
  const Vc = new Uint8ClampedArray(V.buffer, V.byteOffset, V.length);
  const s = rgb.data;
  const b = before?.data;
  const w = rgb.width;
  const cw = dst.width >> 1;
  const { yOffset, yr, yg, yb, ur, ug, ub, vr, vg, vb } = t;
  let written = 0;
  for (let j = 0; j < rgb.height; j += 2) {
    for (let i = 0; i < w; i += 2) {
      let sr = 0;
      let sg = 0;
      let sb = 0;
      let changed = false;
      for (let k = 0; k < 4; k++) {
        const px = i + (k & 1);
        const py = j + (k >> 1);
        const o = (py * w + px) * 3;
        const r = s[o]!;
        const g = s[o + 1]!;
        const bl = s[o + 2]!;
        sr += r;
        sg += g;
        sb += bl;
        if (b && b[o] === r && b[o + 1] === g && b[o + 2] === bl) continue;
        changed = true;
        written++;
        Yc[(y + py) * dst.width + x + px] = yOffset + yr * r + yg * g + yb * bl;
      }
      if (!changed) continue;
      const c = ((y + j) >> 1) * cw + ((x + i) >> 1);
      Uc[c] = 128 + (ur * sr + ug * sg + ub * sb) / 4;
      Vc[c] = 128 + (vr * sr + vg * sg + vb * sb) / 4;
    }
  }
  return written;
}

/**
 * An RGB image as a yuv420p frame in `color` (BT.709 tv range unless told). Odd sides lose their last
 * column or row, as the H.264 encoder's crop would.
 */
export function rgbToYuv(img: RgbImage, color: YuvColor = { matrix: 'bt709', range: 'tv' }): YuvImage {
  assertImage(img, 'rgbToYuv source');
  const width = img.width & ~1;
  const height = img.height & ~1;
  if (width === 0 || height === 0) {
    throw new RangeError(`rgbToYuv: ${img.width}×${img.height} is too small for yuv420p`);
  }
  const out: YuvImage = {
    format: 'yuv420p',
    width,
    height,
    color,
    data: new Uint8Array(yuvFrameSize(width, height)),
  };
  const rgb =
    img.channels === 3 && width === img.width && height === img.height ? img : cropRgb(img, width, height);
  writeRgbToYuv(out, rgb, 0, 0);
  return out;
}

/** The top-left width×height of `img` as RGB (drops alpha). */
function cropRgb(img: RgbImage, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  const ch = img.channels;
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, i = y * img.width * ch; x < width; x++, i += ch, o += 3) {
      data[o] = img.data[i]!;
      data[o + 1] = img.data[i + 1]!;
      data[o + 2] = img.data[i + 2]!;
    }
  }
  return { width, height, channels: 3, data };
}

/** A picture as RGB: the image itself, or the frame converted (previews, encoders of stills). */
export function toRgb(picture: Picture): RgbImage {
  return isYuv(picture) ? yuvToRgb(picture) : picture;
}

function fullRect(img: { width: number; height: number }): Rect {
  return { x: 0, y: 0, width: img.width, height: img.height };
}

function checkRect(img: { width: number; height: number }, r: Rect, what: string): void {
  if (
    !(
      Number.isInteger(r.x) &&
      Number.isInteger(r.y) &&
      Number.isInteger(r.width) &&
      Number.isInteger(r.height)
    ) ||
    r.x < 0 ||
    r.y < 0 ||
    r.width <= 0 ||
    r.height <= 0 ||
    r.x + r.width > img.width ||
    r.y + r.height > img.height
  ) {
    throw new RangeError(
      `${what}: region ${r.x},${r.y} ${r.width}×${r.height} is not inside the ${img.width}×${img.height} frame`,
    );
  }
}
