// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads in the checks are in bounds
// The samplers against docs/models/wan.md §7.9: traces of [WAN]'s FlowUniPCMultistepScheduler (float32)
// with the synthetic velocity v(x, σ) = x − 0.3 + 0.2·σ from x = 1, and Euler on the same σ list;
// plus an independent float64 scalar re-derivation of §7.6 for whole traces.
import { describe, expect, it } from 'vitest';
import { createSampler, predictX0, type SamplerKind } from '../src/wan/samplers.ts';
import { wanSchedule } from '../src/wan/schedule.ts';

const synthetic = (x: number, sigma: number) => x - 0.3 + 0.2 * sigma;

/** Runs a sampler over a schedule with the synthetic field; returns x after each step (element 0). */
function trace(kind: SamplerKind, steps: number, shift: number, start: number[] = [1]): Float32Array[] {
  const schedule = wanSchedule(steps, shift);
  const sampler = createSampler(kind, schedule);
  const x = Float32Array.from(start);
  const v = new Float32Array(x.length);
  const out: Float32Array[] = [];
  for (let i = 0; i < steps; i++) {
    const sigma = schedule.sigmas[i]!;
    for (let j = 0; j < x.length; j++) v[j] = synthetic(x[j]!, sigma);
    sampler.step(i, v, x);
    out.push(x.slice());
  }
  return out;
}

/** §7.6 written out for one scalar, in float64, independently of the implementation's buffers. */
function uniPcScalar(sigmas: ArrayLike<number>, x: number): number[] {
  const N = sigmas.length - 1;
  const lam = (s: number) => Math.log(1 - s) - Math.log(s);
  const m: number[] = [];
  let last = 0;
  let prevOrder = 0;
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    const s = sigmas[i]!;
    const x0 = x - s * synthetic(x, s);
    if (i > 0) {
      const sp = sigmas[i - 1]!;
      const a = 1 - s;
      const h = lam(s) - lam(sp);
      const phi = Math.expm1(-h);
      const m0 = m[m.length - 1]!;
      const base = (s / sp) * last - a * phi * m0;
      if (prevOrder === 1) {
        x = base - a * phi * 0.5 * (x0 - m0);
      } else {
        const rk = (lam(sigmas[i - 2]!) - lam(sp)) / h;
        const D1 = (m[m.length - 2]! - m0) / rk;
        const b1 = (phi / -h - 1) / phi;
        const b2 = (2 * ((phi / -h - 1) / -h - 0.5)) / phi;
        // Solve [1 1; rk 1]·ρ = [b1; b2] by Cramer's rule.
        const det = 1 - rk;
        const rho0 = (b1 - b2) / det;
        const rho1 = (b2 - rk * b1) / det;
        x = base - a * phi * (rho0 * D1 + rho1 * (x0 - m0));
      }
    }
    m.push(x0);
    last = x;
    const order = Math.min(2, N - i, i + 1);
    const sn = sigmas[i + 1]!;
    const an = 1 - sn;
    const h = lam(sn) - lam(s);
    const phi = Math.expm1(-h);
    let next = (sn / s) * x - an * phi * x0;
    if (order === 2) {
      const rk = (lam(sigmas[i - 1]!) - lam(s)) / h;
      next -= an * phi * 0.5 * ((m[m.length - 2]! - x0) / rk);
    }
    x = next;
    prevOrder = order;
    out.push(x);
  }
  return out;
}

const first = (t: Float32Array[]) => t.map((a) => a[0]!);

function expectClose(actual: number[], expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (Math.abs(a - expected[i]!) > tol) {
      throw new Error(`value ${i}: ${a} differs from ${expected[i]} by more than ${tol}`);
    }
  });
}

describe('samplers against the §7.9 traces of [WAN]', () => {
  it('N = 6, shift 5', () => {
    expectClose(
      first(trace('unipc', 6, 5)),
      [0.965366, 0.921295, 0.863255, 0.781951, 0.665251, 0.432795],
      2e-6,
    );
    expectClose(
      first(trace('euler', 6, 5)),
      [0.965366, 0.920364, 0.859572, 0.773101, 0.641127, 0.420726],
      2e-6,
    );
  });

  it('N = 4, shift 16', () => {
    expectClose(first(trace('unipc', 4, 16)), [0.981617, 0.948177, 0.868019, 0.24802], 2e-6);
    expectClose(first(trace('euler', 4, 16)), [0.981617, 0.94788, 0.864992, 0.247541], 2e-6);
  });

  it('N = 50, shift 16: the last six UniPC values', () => {
    expectClose(
      first(trace('unipc', 50, 16)).slice(-6),
      [0.739328, 0.707618, 0.669688, 0.624221, 0.571586, 0.492686],
      3e-6,
    );
  });
});

describe('UniPC against a scalar re-derivation of §7.6', () => {
  for (const [steps, shift] of [
    [50, 16],
    [30, 3],
    [2, 5],
    [1, 5],
  ] as const) {
    it(`N = ${steps}, shift ${shift}: every step`, () => {
      const expected = uniPcScalar(wanSchedule(steps, shift).sigmas, 1);
      expectClose(first(trace('unipc', steps, shift)), expected, 2e-6);
    });
  }

  it('updates each element on its own (vector = scalar runs)', () => {
    const starts = [1, -0.7, 2.5, 0];
    const run = trace('unipc', 12, 8, starts);
    const sigmas = wanSchedule(12, 8).sigmas;
    starts.forEach((s, j) => {
      const expected = uniPcScalar(sigmas, s);
      expectClose(
        run.map((a) => a[j]!),
        expected,
        2e-6,
      );
    });
  });
});

describe('sampler properties', () => {
  const noise = (n: number, k: number) =>
    Float32Array.from({ length: n }, (_, j) => Math.sin(j * 1.7 + k) * 1.3);

  it("an Euler step equals UniPC's first (order-1 predictor) step", () => {
    const schedule = wanSchedule(20, 5);
    const x = noise(64, 0);
    const v = noise(64, 5);
    const a = x.slice();
    const b = x.slice();
    createSampler('euler', schedule).step(0, v, a);
    createSampler('unipc', schedule).step(0, v, b);
    for (let j = 0; j < 64; j++) expect(b[j]).toBeCloseTo(a[j]!, 6);
    // and both are x + (σ1 − σ0)·v
    const dt = schedule.sigmas[1]! - schedule.sigmas[0]!;
    for (let j = 0; j < 64; j++) expect(a[j]).toBeCloseTo(x[j]! + dt * v[j]!, 6);
  });

  it('the last step returns x0 = x − σ·v for both samplers', () => {
    for (const kind of ['unipc', 'euler'] as const) {
      const steps = 5;
      const schedule = wanSchedule(steps, 5);
      const sampler = createSampler(kind, schedule);
      const x = noise(32, 1);
      for (let i = 0; i < steps - 1; i++) sampler.step(i, noise(32, 10 + i), x);
      const v = noise(32, 99);
      const sigma = schedule.sigmas[steps - 1]!;
      const x0 = Float32Array.from(x, (xi, j) => xi - sigma * v[j]!);
      sampler.step(steps - 1, v, x);
      for (let j = 0; j < 32; j++) expect(x[j]).toBeCloseTo(x0[j]!, 6);
    }
  });

  it('predictX0 is x − σ·v', () => {
    const out = predictX0(Float32Array.of(1, 2), Float32Array.of(0.5, -1), 0.5);
    expect(Array.from(out)).toEqual([0.75, 2.5]);
  });

  it('rejects steps out of order, length mismatches and unknown kinds', () => {
    const sampler = createSampler('unipc', wanSchedule(4, 5));
    const x = new Float32Array(4);
    expect(() => sampler.step(1, new Float32Array(4), x)).toThrow(/expected step 0/);
    expect(() => sampler.step(0, new Float32Array(3), x)).toThrow(/velocity has 3 values/);
    sampler.step(0, new Float32Array(4), x);
    expect(() => sampler.step(1, new Float32Array(5), new Float32Array(5))).toThrow(/earlier steps had 4/);
    expect(() => createSampler('dpm' as SamplerKind, wanSchedule(4, 5))).toThrow(/unknown sampler/);
  });
});
