// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// Seeded standard normal noise for the initial latent (docs/models/wan.md §12.1). Parity with
// PyTorch's GPU generator is not portable (§12, item 6), so Visage uses its own documented generator:
// Philox-4x32-10 (Salmon et al., SC'11, the Random123 reference) keyed by the seed, counter = block
// index, each block's four words turned into four normals by Box–Muller.

/** Seeds are integers 0 … 2^53 − 1 (Number.MAX_SAFE_INTEGER): the low and high 32 bits form the key. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_32 = 4294967296;

/** High 32 bits of the 64-bit product of two uint32 (the low half is Math.imul). */
function mulHi(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

/**
 * Philox-4x32-10 of one counter block: ten rounds of (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2,
 * c = [hi1 ⊕ c1 ⊕ k0, lo1, hi0 ⊕ c3 ⊕ k1, lo0], the key bumped by the Weyl constants between rounds.
 * Writes the four output words into `out` (a Uint32Array of at least 4).
 */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  philoxBlock(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out);
  return out;
}

function philoxBlock(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  c0 >>>= 0;
  c1 >>>= 0;
  c2 >>>= 0;
  c3 >>>= 0;
  k0 >>>= 0;
  k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/**
 * `count` standard normal float32 values for `seed`. Block b (counter [b mod 2^32, ⌊b/2^32⌋, 0, 0],
 * key [seed mod 2^32, ⌊seed/2^32⌋]) gives words w0…w3 and values 4b … 4b+3:
 * u = (w0 + 1)/2^32 ∈ (0, 1], φ = 2π·w1/2^32, r = √(−2 ln u) → r·cos φ, r·sin φ; likewise w2, w3.
 * A prefix of a longer draw equals a shorter draw with the same seed.
 */
export function gaussianNoise(seed: number, count: number): Float32Array {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`gaussianNoise: seed must be an integer in 0…${MAX_SEED} (got ${seed})`);
  }
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`gaussianNoise: count must be a non-negative integer (got ${count})`);
  }
  const out = new Float32Array(count);
  const k0 = seed % TWO_32;
  const k1 = Math.floor(seed / TWO_32);
  const words = new Uint32Array(4);
  const pair = new Float64Array(2);
  for (let at = 0, block = 0; at < count; at += 4, block++) {
    philoxBlock(block % TWO_32, Math.floor(block / TWO_32), 0, 0, k0, k1, words);
    boxMuller(words[0]!, words[1]!, pair);
    out[at] = pair[0]!;
    if (at + 1 < count) out[at + 1] = pair[1]!;
    if (at + 2 < count) {
      boxMuller(words[2]!, words[3]!, pair);
      out[at + 2] = pair[0]!;
      if (at + 3 < count) out[at + 3] = pair[1]!;
    }
  }
  return out;
}

/** Two independent standard normals from two uint32 words (Box–Muller). */
function boxMuller(a: number, b: number, out: Float64Array): void {
  const r = Math.sqrt(-2 * Math.log((a + 1) / TWO_32));
  const phi = (2 * Math.PI * b) / TWO_32;
  out[0] = r * Math.cos(phi);
  out[1] = r * Math.sin(phi);
}
