// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// The One-Euro filter: adaptive low-pass smoothing of noisy per-frame measurements (landmarks, poses).

function checkLength(name: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new RangeError(`${name}: expected ${n} values, got ${a.length}`);
}

export interface OneEuroOptions {
  /** Minimum cutoff frequency in Hz (FLP: 4). Lower = smoother at rest, more lag. */
  minCutoff?: number;
  /** Speed coefficient (FLP: 0.3). Higher = the cutoff rises faster with speed, less lag in motion. */
  beta?: number;
  /** Cutoff of the derivative's low-pass in Hz (FLP: 1). */
  dCutoff?: number;
  /** Sample rate in Hz used when no timestamps are given, and for the first sample (FLP: 30). */
  frequency?: number;
}

/**
 * One-Euro filter (Casiez et al., CHI 2012) over a fixed-length vector, one independent filter per
 * element, as FLP uses it (src/utils/utils.py OneEuroFilter; FLP smooths a source video's R and exp
 * with mincutoff 4, beta 0.3, dcutoff 1, freq 30). For each element, with sample rate f:
 *   α(fc) = 1 / (1 + τ/Tₑ), τ = 1/(2π·fc), Tₑ = 1/f;
 *   dx = (x − x_prev_raw)·f (0 on the first sample); ê = α(dCutoff)·dx + (1 − α(dCutoff))·ê_prev;
 *   fc = minCutoff + β·|ê|;  x̂ = α(fc)·x + (1 − α(fc))·x̂_prev  (x̂ = x on the first sample).
 * Like FLP, the derivative uses the previous raw sample (Casiez's reference uses the previous filtered
 * one). f is `frequency` unless timestamps (seconds) are passed, then 1/(t − t_prev) for each step after
 * the first (a non-increasing timestamp falls back to `frequency`). Deterministic: no clock is read.
 *
 * Used against jitter: LivePortrait's driving head angles (MotionSmoother; never the expression) and
 * the face swap's landmarks from frame to frame (faceswap/tracker.ts).
 */
export class OneEuroFilter {
  readonly size: number;
  private readonly minCutoff: number;
  private readonly beta: number;
  private readonly dCutoff: number;
  private readonly frequency: number;
  private readonly prevRaw: Float64Array;
  private readonly prevFiltered: Float64Array;
  private readonly prevDx: Float64Array;
  private started = false;
  private prevTime: number | undefined;

  constructor(size: number, options: OneEuroOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`OneEuroFilter: bad size ${size}`);
    this.size = size;
    this.minCutoff = options.minCutoff ?? 4;
    this.beta = options.beta ?? 0.3;
    this.dCutoff = options.dCutoff ?? 1;
    this.frequency = options.frequency ?? 30;
    if (!(this.minCutoff > 0) || !(this.dCutoff > 0) || !(this.frequency > 0) || !(this.beta >= 0)) {
      throw new RangeError('OneEuroFilter: minCutoff, dCutoff and frequency must be > 0 and beta ≥ 0');
    }
    this.prevRaw = new Float64Array(size);
    this.prevFiltered = new Float64Array(size);
    this.prevDx = new Float64Array(size);
  }

  private static alpha(cutoff: number, rate: number): number {
    const tau = 1 / (2 * Math.PI * cutoff);
    return 1 / (1 + tau * rate);
  }

  /** Filters one sample; returns the filtered vector (written into `out` if given, else a new Float32Array). */
  filter(x: ArrayLike<number>, timestamp?: number): Float32Array;
  filter<T extends Float32Array | Float64Array>(
    x: ArrayLike<number>,
    timestamp: number | undefined,
    out: T,
  ): T;
  filter(
    x: ArrayLike<number>,
    timestamp?: number,
    out: Float32Array | Float64Array = new Float32Array(this.size),
  ): Float32Array | Float64Array {
    checkLength('OneEuroFilter.filter', x, this.size);
    checkLength('OneEuroFilter.filter out', out, this.size);
    if (!this.started) {
      for (let i = 0; i < this.size; i++) {
        const v = x[i]!;
        this.prevRaw[i] = v;
        this.prevFiltered[i] = v;
        this.prevDx[i] = 0;
        out[i] = v;
      }
      this.started = true;
      this.prevTime = timestamp;
      return out;
    }
    let rate = this.frequency;
    if (timestamp !== undefined && this.prevTime !== undefined && timestamp > this.prevTime) {
      rate = 1 / (timestamp - this.prevTime);
    }
    if (timestamp !== undefined) this.prevTime = timestamp;
    const aD = OneEuroFilter.alpha(this.dCutoff, rate);
    for (let i = 0; i < this.size; i++) {
      const v = x[i]!;
      const dx = (v - this.prevRaw[i]!) * rate;
      const edx = aD * dx + (1 - aD) * this.prevDx[i]!;
      const a = OneEuroFilter.alpha(this.minCutoff + this.beta * Math.abs(edx), rate);
      const s = a * v + (1 - a) * this.prevFiltered[i]!;
      this.prevRaw[i] = v;
      this.prevDx[i] = edx;
      this.prevFiltered[i] = s;
      out[i] = s;
    }
    return out;
  }

  /** Forgets the history: the next sample passes through unchanged. */
  reset(): void {
    this.started = false;
    this.prevTime = undefined;
  }
}
