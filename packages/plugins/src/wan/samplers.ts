// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// Flow-matching samplers for the denoising loop (docs/models/wan.md §7.5, §7.6). The DiT predicts the
// velocity v; x0 = x − σ·v (§7.1). Each sampler moves the latent in place from σ_i to σ_{i+1}.
import type { Schedule } from './schedule.ts';

export type SamplerKind = 'unipc' | 'euler';

export interface Sampler {
  readonly kind: SamplerKind;
  readonly schedule: Schedule;
  /**
   * Step i (0 … N−1, in order): `sample` is the latent the DiT just saw at σ_i (timestep t_i) and
   * `velocity` its (guided) output. `sample` is overwritten in place with the latent at σ_{i+1}, the
   * DiT's next input; after the last step it is the final x0. `velocity` is not modified.
   */
  step(i: number, velocity: Float32Array, sample: Float32Array): void;
}

export function createSampler(kind: SamplerKind, schedule: Schedule): Sampler {
  if (kind === 'euler') return new EulerSampler(schedule);
  if (kind === 'unipc') return new UniPcSampler(schedule);
  throw new RangeError(`createSampler: unknown sampler '${kind as string}' (expected 'unipc' or 'euler')`);
}

/** x0 = x − σ·v (docs/models/wan.md §7.1), into `out` (e.g. for a preview before the step overwrites x). */
export function predictX0(
  sample: Float32Array,
  velocity: Float32Array,
  sigma: number,
  out = new Float32Array(sample.length),
): Float32Array {
  checkLengths('predictX0', velocity, sample);
  if (out.length !== sample.length) {
    throw new RangeError(`predictX0: out has ${out.length} values, the sample ${sample.length}`);
  }
  for (let j = 0; j < sample.length; j++) out[j] = sample[j]! - sigma * velocity[j]!;
  return out;
}

function checkLengths(where: string, velocity: Float32Array, sample: Float32Array): void {
  if (velocity.length !== sample.length) {
    throw new RangeError(`${where}: velocity has ${velocity.length} values, the sample ${sample.length}`);
  }
}

abstract class SamplerBase implements Sampler {
  abstract readonly kind: SamplerKind;
  private next = 0;
  private size = -1;

  constructor(readonly schedule: Schedule) {}

  step(i: number, velocity: Float32Array, sample: Float32Array): void {
    const where = `${this.kind} sampler step ${i}`;
    if (i !== this.next) {
      throw new RangeError(
        `${where}: steps run in order 0…${this.schedule.steps - 1}; expected step ${this.next}`,
      );
    }
    checkLengths(where, velocity, sample);
    if (this.size >= 0 && sample.length !== this.size) {
      throw new RangeError(
        `${where}: the sample has ${sample.length} values, earlier steps had ${this.size}`,
      );
    }
    this.size = sample.length;
    this.advance(i, velocity, sample);
    this.next++;
  }

  protected abstract advance(i: number, velocity: Float32Array, sample: Float32Array): void;
}

/** x_{i+1} = x_i + (σ_{i+1} − σ_i)·v_i (docs/models/wan.md §7.5). */
class EulerSampler extends SamplerBase {
  readonly kind = 'euler';

  protected advance(i: number, velocity: Float32Array, sample: Float32Array): void {
    const dt = this.schedule.sigmas[i + 1]! - this.schedule.sigmas[i]!;
    for (let j = 0; j < sample.length; j++) sample[j] = sample[j]! + dt * velocity[j]!;
  }
}

/** λ(σ) = ln(1 − σ) − ln σ; +∞ at σ = 0 (docs/models/wan.md §7.6). */
function lambda(sigma: number): number {
  return Math.log(1 - sigma) - Math.log(sigma);
}

/**
 * UniPC, order 2, bh2, predict-x0 with lower_order_final, as [WAN]'s FlowUniPCMultistepScheduler
 * (docs/models/wan.md §7.6): convert v to x0; correct the previous step's result with the new x0
 * (UniC, from step 1 on); predict the next sample from the corrected one (UniP). The order is
 * min(2, N − i, i + 1). Scalar coefficients are computed in float64 from the float32 σ list; the
 * per-element update is stored in float32. State: the last three x0 and the corrected sample.
 */
class UniPcSampler extends SamplerBase {
  readonly kind = 'unipc';
  /** x0 of steps i, i−1, i−2 (rotated each step). */
  private x0: Float32Array | null = null;
  private x0Prev: Float32Array | null = null;
  private x0Prev2: Float32Array | null = null;
  /** The corrected sample of the previous step (UniC starts from it). */
  private last: Float32Array | null = null;
  private lastOrder = 0;

  protected advance(i: number, velocity: Float32Array, sample: Float32Array): void {
    const n = sample.length;
    const sig = this.schedule.sigmas;
    const sigma = sig[i]!;
    // Rotate the x0 history: x0Prev2 ← x0Prev ← x0 ← (reused oldest buffer).
    const recycled = this.x0Prev2 ?? new Float32Array(n);
    this.x0Prev2 = this.x0Prev;
    this.x0Prev = this.x0;
    const x0 = recycled;
    this.x0 = x0;
    for (let j = 0; j < n; j++) x0[j] = sample[j]! - sigma * velocity[j]!;

    const last = this.last ?? new Float32Array(n);
    this.last = last;
    if (i > 0) this.correct(i, sample);
    last.set(sample);

    const order = Math.min(2, this.schedule.steps - i, i + 1);
    this.predict(i, order, sample);
    this.lastOrder = order;
  }

  /** UniC from σ_{i−1} to σ_i with the new x0_i; writes the corrected x_i into `sample`. */
  private correct(i: number, sample: Float32Array): void {
    const sig = this.schedule.sigmas;
    const sPrev = sig[i - 1]!;
    const s = sig[i]!;
    const alpha = 1 - s;
    const h = lambda(s) - lambda(sPrev);
    const phi = Math.expm1(-h);
    const B = phi; // bh2
    const ratio = s / sPrev;
    const x0 = this.x0!;
    const m0 = this.x0Prev!;
    const last = this.last!;
    if (this.lastOrder === 2) {
      const rk = (lambda(sig[i - 2]!) - lambda(sPrev)) / h;
      const b1 = (phi / -h - 1) / B;
      const b2 = (2 * ((phi / -h - 1) / -h - 0.5)) / B;
      const rho0 = (b1 - b2) / (1 - rk);
      const rho1 = b1 - rho0;
      const m1 = this.x0Prev2!;
      const cD1 = (alpha * B * rho0) / rk;
      const cDt = alpha * B * rho1;
      for (let j = 0; j < sample.length; j++) {
        const base = ratio * last[j]! - alpha * phi * m0[j]!;
        sample[j] = base - cD1 * (m1[j]! - m0[j]!) - cDt * (x0[j]! - m0[j]!);
      }
    } else {
      const cDt = alpha * B * 0.5;
      for (let j = 0; j < sample.length; j++) {
        const base = ratio * last[j]! - alpha * phi * m0[j]!;
        sample[j] = base - cDt * (x0[j]! - m0[j]!);
      }
    }
  }

  /** UniP from σ_i to σ_{i+1}, from the corrected x_i in `sample`, in place. */
  private predict(i: number, order: number, sample: Float32Array): void {
    const sig = this.schedule.sigmas;
    const s = sig[i]!;
    const sNext = sig[i + 1]!;
    const alpha = 1 - sNext;
    const h = lambda(sNext) - lambda(s); // +∞ into σ = 0: expm1(−∞) = −1, and the step returns x0
    const phi = Math.expm1(-h);
    const ratio = sNext / s;
    const x0 = this.x0!;
    if (order === 2) {
      const rk = (lambda(sig[i - 1]!) - lambda(s)) / h;
      const cD1 = (alpha * phi * 0.5) / rk; // B = φ (bh2), ρ = 1/2
      const m1 = this.x0Prev!;
      for (let j = 0; j < sample.length; j++) {
        sample[j] = ratio * sample[j]! - alpha * phi * x0[j]! - cD1 * (m1[j]! - x0[j]!);
      }
    } else {
      for (let j = 0; j < sample.length; j++) sample[j] = ratio * sample[j]! - alpha * phi * x0[j]!;
    }
  }
}
