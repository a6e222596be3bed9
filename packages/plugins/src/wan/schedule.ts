// The flow-matching schedule exactly as Wan's reference UniPC scheduler builds it
// (docs/models/wan.md §7.1–§7.3): the DiT sees integer timesteps, the samplers use float32 σ.

/** Wan's training table starts at σ = 0.999, stored as float32 (docs/models/wan.md §7.3). */
export const WAN_SIGMA_MAX = Math.fround(0.999);
/** t = 1000·σ (docs/models/wan.md §7.1). */
export const TRAIN_TIMESTEPS = 1000;

export interface Schedule {
  steps: number;
  shift: number;
  /** σ_0 … σ_{N−1} and a final 0: N + 1 float32 values, what the samplers step between. */
  sigmas: Float32Array;
  /** t_i = trunc(1000·σ_i) of the float64 σ (before float32 rounding): N integers, the DiT's timestep input. */
  timesteps: Int32Array;
}

/** σ' = s·σ / (1 + (s − 1)·σ) (docs/models/wan.md §7.2). */
export function shiftSigma(sigma: number, shift: number): number {
  return (shift * sigma) / (1 + (shift - 1) * sigma);
}

/**
 * The schedule of [WAN]'s `FlowUniPCMultistepScheduler.set_timesteps(N, shift)` (docs/models/wan.md §7.3):
 * σ_i = linspace(float32(0.999), 0, N + 1)[:N] in float64 (numpy's i·step + start), shifted; timesteps
 * truncated from 1000·σ_i in float64; the σ list gets a final 0 and is rounded to float32. Used by
 * both samplers (Euler too), so only the update rule differs between them.
 */
export function wanSchedule(steps: number, shift: number): Schedule {
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(`wanSchedule: steps must be a positive integer (got ${steps})`);
  }
  if (!(Number.isFinite(shift) && shift > 0)) {
    throw new RangeError(`wanSchedule: shift must be a positive number (got ${shift})`);
  }
  const sigmas = new Float32Array(steps + 1); // the last stays 0
  const timesteps = new Int32Array(steps);
  const step = (0 - WAN_SIGMA_MAX) / steps;
  for (let i = 0; i < steps; i++) {
    const sigma = shiftSigma(i * step + WAN_SIGMA_MAX, shift);
    sigmas[i] = sigma;
    timesteps[i] = Math.trunc(sigma * TRAIN_TIMESTEPS);
  }
  return { steps, shift, sigmas, timesteps };
}
