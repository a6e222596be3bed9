// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the pixel loops are in bounds by construction
// Pixel boost (FaceFusion's processors/pixel_boost.py, docs/models/face.md §5.6): a crop of N·S pixels
// is cut into N² tiles of S² by strided sub-sampling — tile (i, j) holds the pixels (N·y + i, N·x + j)
// — each tile is swapped at the model's size S, and the swapped tiles are interleaved back.
import { createImage, type RgbImage } from '@visage/inference';

function checkFactor(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`${what}: the factor must be an integer ≥ 1 (got ${n})`);
}

/** The N² tiles of `crop` (N·S square), tile index i·N + j for the row offset i and column offset j. */
export function implodePixelBoost(crop: RgbImage, n: number): RgbImage[] {
  checkFactor(n, 'implodePixelBoost');
  if (crop.width !== crop.height || crop.width % n !== 0) {
    throw new RangeError(`implodePixelBoost: a ${crop.width}×${crop.height} crop is not a square of ${n}·S`);
  }
  if (n === 1) return [crop];
  const size = crop.width / n;
  const ch = crop.channels;
  const src = crop.data;
  const tiles: RgbImage[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const tile = createImage(size, size, ch);
      const out = tile.data;
      for (let y = 0, o = 0; y < size; y++) {
        let s = ((n * y + i) * crop.width + j) * ch;
        for (let x = 0; x < size; x++, s += n * ch) {
          for (let c = 0; c < ch; c++, o++) out[o] = src[s + c]!;
        }
      }
      tiles.push(tile);
    }
  }
  return tiles;
}

/** The inverse of {@link implodePixelBoost}: N² tiles of S² back into one N·S crop. */
export function explodePixelBoost(tiles: readonly RgbImage[], n: number): RgbImage {
  checkFactor(n, 'explodePixelBoost');
  const first = tiles[0];
  if (!first || tiles.length !== n * n) {
    throw new RangeError(`explodePixelBoost: ${n}× needs ${n * n} tiles, got ${tiles.length}`);
  }
  if (n === 1) return first;
  const size = first.width;
  const ch = first.channels;
  for (const tile of tiles) {
    if (tile.width !== size || tile.height !== size || tile.channels !== ch) {
      throw new RangeError(
        `explodePixelBoost: tiles must all be ${size}×${size}×${ch}, got ${tile.width}×${tile.height}×${tile.channels}`,
      );
    }
  }
  const side = n * size;
  const crop = createImage(side, side, ch);
  const out = crop.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const src = (tiles[i * n + j] as RgbImage).data;
      for (let y = 0, s = 0; y < size; y++) {
        let o = ((n * y + i) * side + j) * ch;
        for (let x = 0; x < size; x++, o += n * ch) {
          for (let c = 0; c < ch; c++, s++) out[o + c] = src[s]!;
        }
      }
    }
  }
  return crop;
}
