// Wan's 3D rotary position tables, fed to the DiT graph as `rope_cos` / `rope_sin` [tokens, 64]
// (docs/models/wan.md §4.7, §9.2): the graph then has no complex ops.
import { ROPE_PAIRS } from './contracts.ts';

/** Rotation pairs per axis: frame, row, column (head_dim 128 = 64 pairs). */
export const ROPE_AXIS_PAIRS = [22, 21, 21] as const;
export const ROPE_THETA = 10000;
/** [WAN] builds its tables for 1024 positions per axis; a larger grid has no reference behaviour. */
export const ROPE_MAX_POSITIONS = 1024;

export interface RopeTables {
  /** [f·hp·wp, 64], row-major; row (t·hp + y)·wp + x, the DiT's token order (§4.2). */
  cos: Float32Array;
  sin: Float32Array;
}

/**
 * The per-token angles of [WAN]'s `rope_params` / `rope_apply` (docs/models/wan.md §4.7) for a patch
 * grid of f latent frames (references included) × hp = h/2 rows × wp = w/2 columns. Pair k < 22
 * turns by t·θ^(−2k/44), pair 22 + k by y·θ^(−2k/42), pair 43 + k by x·θ^(−2k/42); every head uses
 * the same angles, and pair k rotates elements (2k, 2k+1) of a head. Angles in float64 (as [WAN]),
 * stored as float32.
 */
export function ropeTables(f: number, hp: number, wp: number): RopeTables {
  for (const [name, n] of [
    ['frames', f],
    ['rows', hp],
    ['columns', wp],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > ROPE_MAX_POSITIONS) {
      throw new RangeError(`ropeTables: ${name} must be an integer in 1…${ROPE_MAX_POSITIONS} (got ${n})`);
    }
  }
  // Each axis has few positions: tabulate it once, then copy its rows into every token's row.
  const [frame, rows, cols] = [
    axisTable(f, ROPE_AXIS_PAIRS[0]),
    axisTable(hp, ROPE_AXIS_PAIRS[1]),
    axisTable(wp, ROPE_AXIS_PAIRS[2]),
  ];
  const [nf, nr, nc] = ROPE_AXIS_PAIRS;
  const tokens = f * hp * wp;
  const cos = new Float32Array(tokens * ROPE_PAIRS);
  const sin = new Float32Array(tokens * ROPE_PAIRS);
  let at = 0;
  for (let t = 0; t < f; t++) {
    for (let y = 0; y < hp; y++) {
      for (let x = 0; x < wp; x++, at += ROPE_PAIRS) {
        cos.set(frame.cos.subarray(t * nf, (t + 1) * nf), at);
        sin.set(frame.sin.subarray(t * nf, (t + 1) * nf), at);
        cos.set(rows.cos.subarray(y * nr, (y + 1) * nr), at + nf);
        sin.set(rows.sin.subarray(y * nr, (y + 1) * nr), at + nf);
        cos.set(cols.cos.subarray(x * nc, (x + 1) * nc), at + nf + nr);
        sin.set(cols.sin.subarray(x * nc, (x + 1) * nc), at + nf + nr);
      }
    }
  }
  return { cos, sin };
}

/**
 * cos and sin of pos·θ^(−2k/d) for positions 0…n−1 and pairs k < pairs, with d = 2·pairs the axis's
 * real dimension ([WAN] `rope_params`: 1/θ^(2k/d) in float64), stored as float32 [n, pairs].
 */
function axisTable(n: number, pairs: number): RopeTables {
  const d = 2 * pairs;
  const cos = new Float32Array(n * pairs);
  const sin = new Float32Array(n * pairs);
  for (let k = 0; k < pairs; k++) {
    const freq = 1 / ROPE_THETA ** ((2 * k) / d);
    for (let pos = 0; pos < n; pos++) {
      cos[pos * pairs + k] = Math.cos(pos * freq);
      sin[pos * pairs + k] = Math.sin(pos * freq);
    }
  }
  return { cos, sin };
}
