// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// Classifier-free guidance: v = v_uncond + g·(v_cond − v_uncond) (docs/models/wan.md §7.7).

/**
 * Combines the two DiT outputs of separate calls into `out` (by default `cond`, overwritten) and
 * returns it. `out` may also be `uncond` or a third buffer of the same length.
 */
export function applyGuidance(
  cond: Float32Array,
  uncond: Float32Array,
  scale: number,
  out: Float32Array = cond,
): Float32Array {
  if (cond.length !== uncond.length || out.length !== cond.length) {
    throw new RangeError(
      `applyGuidance: cond, uncond and out must have one length (got ${cond.length}, ${uncond.length}, ${out.length})`,
    );
  }
  checkScale('applyGuidance', scale);
  for (let j = 0; j < cond.length; j++) {
    const u = uncond[j]!;
    out[j] = u + scale * (cond[j]! - u);
  }
  return out;
}

/**
 * Combines a batch-2 DiT output `[2, 16, frames, h, w]` whose batch order is **[cond, uncond]**
 * (item 0 = prompt context, item 1 = negative context; docs/models/wan.md §7.7). The result is
 * written over the first half and returned as a view of it (no copy).
 */
export function applyGuidanceBatch2(batched: Float32Array, scale: number): Float32Array {
  if (batched.length % 2 !== 0) {
    throw new RangeError(`applyGuidanceBatch2: a batch-2 output has an even length (got ${batched.length})`);
  }
  const half = batched.length / 2;
  return applyGuidance(batched.subarray(0, half), batched.subarray(half), scale);
}

function checkScale(where: string, scale: number): void {
  if (!Number.isFinite(scale)) throw new RangeError(`${where}: guidance scale must be finite (got ${scale})`);
}
