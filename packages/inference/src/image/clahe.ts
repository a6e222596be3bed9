// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the tile loops are in bounds by construction
// Contrast-limited adaptive histogram equalisation of one 8-bit plane, as OpenCV's CLAHE (createCLAHE
// (clipLimit, (8, 8)).apply, modules/imgproc/src/clahe.cpp) computes it: per-tile clipped histograms
// turned into lookup tables, blended bilinearly between tile centres.

export interface ClaheOptions {
  /** OpenCV's clipLimit: a histogram bin holds at most clipLimit·(tile area)/256 pixels. Default 40. */
  clipLimit?: number;
  /** Tiles per side (OpenCV's tileGridSize, square). Default 8. */
  tiles?: number;
}

// OpenCV's BORDER_REFLECT_101, for the padding of sizes that are not a multiple of the tile count.
const reflect101 = (i: number, n: number) => (n === 1 ? 0 : i < n ? i : 2 * n - 2 - i);

// cv::saturate_cast<uchar>(float): round half to even, clamp.
function toByte(v: number): number {
  const r = Math.round(v);
  const even = r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
  return Math.min(255, Math.max(0, even));
}

/** The equalised plane (a new array); `plane` is width×height bytes, row-major. */
export function clahe(
  plane: Uint8Array,
  width: number,
  height: number,
  { clipLimit = 40, tiles = 8 }: ClaheOptions = {},
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`clahe: size must be positive integers (got ${width}×${height})`);
  }
  if (plane.length !== width * height) {
    throw new RangeError(`clahe: ${width}×${height} needs ${width * height} bytes (got ${plane.length})`);
  }
  if (!Number.isInteger(tiles) || tiles <= 0 || !(clipLimit >= 0)) {
    throw new RangeError(
      `clahe: tiles must be a positive integer and clipLimit ≥ 0 (got ${tiles}, ${clipLimit})`,
    );
  }
  // Sizes that are not a multiple of the grid are padded (right, bottom) by reflection for the tables.
  const tileW = width % tiles === 0 ? width / tiles : (width + tiles - (width % tiles)) / tiles;
  const tileH = height % tiles === 0 ? height / tiles : (height + tiles - (height % tiles)) / tiles;
  const area = tileW * tileH;
  const lutScale = Math.fround(255 / area);
  const limit = clipLimit > 0 ? Math.max(Math.trunc((clipLimit * area) / 256), 1) : 0;
  const luts = new Uint8Array(tiles * tiles * 256);
  const hist = new Int32Array(256);
  for (let ty = 0; ty < tiles; ty++) {
    for (let tx = 0; tx < tiles; tx++) {
      hist.fill(0);
      for (let y = ty * tileH; y < (ty + 1) * tileH; y++) {
        const row = reflect101(y, height) * width;
        for (let x = tx * tileW; x < (tx + 1) * tileW; x++) hist[plane[row + reflect101(x, width)]!]!++;
      }
      if (limit > 0) {
        let clipped = 0;
        for (let i = 0; i < 256; i++) {
          if (hist[i]! > limit) {
            clipped += hist[i]! - limit;
            hist[i] = limit;
          }
        }
        const batch = Math.trunc(clipped / 256);
        let residual = clipped - batch * 256;
        for (let i = 0; i < 256; i++) hist[i]! += batch;
        if (residual !== 0) {
          const step = Math.max(Math.trunc(256 / residual), 1);
          for (let i = 0; i < 256 && residual > 0; i += step, residual--) hist[i]!++;
        }
      }
      const lut = (ty * tiles + tx) * 256;
      for (let i = 0, sum = 0; i < 256; i++) {
        sum += hist[i]!;
        luts[lut + i] = toByte(Math.fround(sum * lutScale));
      }
    }
  }
  // Each pixel blends the tables of the four nearest tile centres (x·(1/tile) − 0.5, as OpenCV).
  const out = new Uint8Array(plane.length);
  const invW = Math.fround(1 / tileW);
  const invH = Math.fround(1 / tileH);
  const x1s = new Int32Array(width);
  const x2s = new Int32Array(width);
  const xas = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const txf = Math.fround(Math.fround(x * invW) - 0.5);
    const t1 = Math.floor(txf);
    xas[x] = txf - t1;
    x1s[x] = Math.max(t1, 0) * 256;
    x2s[x] = Math.min(t1 + 1, tiles - 1) * 256;
  }
  for (let y = 0; y < height; y++) {
    const tyf = Math.fround(Math.fround(y * invH) - 0.5);
    const t1 = Math.floor(tyf);
    const ya = Math.fround(tyf - t1);
    const ya1 = Math.fround(1 - ya);
    const p1 = Math.max(t1, 0) * tiles * 256;
    const p2 = Math.min(t1 + 1, tiles - 1) * tiles * 256;
    for (let x = 0, o = y * width; x < width; x++, o++) {
      const v = plane[o]!;
      const xa = xas[x]!;
      const xa1 = Math.fround(1 - xa);
      const i1 = x1s[x]! + v;
      const i2 = x2s[x]! + v;
      const top = Math.fround(Math.fround(luts[p1 + i1]! * xa1) + Math.fround(luts[p1 + i2]! * xa));
      const bottom = Math.fround(Math.fround(luts[p2 + i1]! * xa1) + Math.fround(luts[p2 + i2]! * xa));
      out[o] = toByte(Math.fround(Math.fround(top * ya1) + Math.fround(bottom * ya)));
    }
  }
  return out;
}
