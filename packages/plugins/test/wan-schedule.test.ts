// Wan's UniPC schedule against the worked numbers of docs/models/wan.md §7.9, printed by [WAN]'s own
// FlowUniPCMultistepScheduler.set_timesteps.
import { describe, expect, it } from 'vitest';
import { shiftSigma, WAN_SIGMA_MAX, wanSchedule } from '../src/wan/schedule.ts';

describe('wanSchedule', () => {
  it('N = 50, shift 16 (the VACE default): timesteps and σ ends', () => {
    const s = wanSchedule(50, 16);
    expect(Array.from(s.timesteps)).toEqual([
      999, 998, 997, 995, 994, 993, 991, 989, 988, 986, 984, 982, 980, 978, 976, 973, 971, 968, 965, 963, 959,
      956, 953, 949, 945, 941, 936, 931, 926, 920, 914, 907, 899, 891, 882, 872, 861, 848, 834, 818, 799, 778,
      752, 722, 685, 639, 581, 504, 399, 245,
    ]);
    expect(s.sigmas.length).toBe(51);
    const sig = Array.from(s.sigmas);
    for (const [i, v] of [
      [0, 0.9999374],
      [1, 0.9986625],
      [2, 0.9973378],
      [48, 0.3997499],
      [49, 0.2459645],
    ] as const) {
      expect(sig[i]).toBeCloseTo(v, 6);
    }
    expect(sig[50]).toBe(0);
  });

  it('N = 50, shift 5: every timestep', () => {
    expect(Array.from(wanSchedule(50, 5).timesteps)).toEqual([
      999, 995, 991, 987, 982, 978, 973, 968, 963, 957, 952, 946, 940, 934, 927, 920, 913, 906, 898, 890, 882,
      873, 863, 854, 843, 833, 821, 809, 796, 783, 768, 753, 737, 720, 701, 681, 660, 636, 611, 584, 555, 522,
      487, 448, 405, 356, 302, 241, 172, 92,
    ]);
  });

  it('N = 50, shifts 3 and 8: the listed ends', () => {
    const s3 = Array.from(wanSchedule(50, 3).timesteps);
    expect(s3.slice(0, 5)).toEqual([999, 992, 985, 978, 971]);
    expect(s3.slice(-4)).toEqual([206, 160, 111, 57]);
    const s8 = Array.from(wanSchedule(50, 8).timesteps);
    expect(s8.slice(0, 5)).toEqual([999, 997, 994, 991, 989]);
    expect(s8.slice(-4)).toEqual([409, 337, 249, 140]);
  });

  it('short schedules of the sampler table: N = 6 shift 5, N = 4 shift 16', () => {
    const a = wanSchedule(6, 5);
    expect(Array.from(a.timesteps)).toEqual([999, 961, 908, 833, 713, 499]);
    const sa = [0.9998, 0.961316, 0.908843, 0.833055, 0.713979, 0.4997, 0];
    sa.forEach((v, i) => {
      expect(a.sigmas[i]).toBeCloseTo(v, 6);
    });
    const b = wanSchedule(4, 16);
    expect(Array.from(b.timesteps)).toEqual([999, 979, 941, 841]);
    const sb = [0.999937, 0.979512, 0.941066, 0.841928, 0];
    sb.forEach((v, i) => {
      expect(b.sigmas[i]).toBeCloseTo(v, 6);
    });
  });

  it('σ is float32 and the timestep is truncated from the float64 σ, not rounded', () => {
    const s = wanSchedule(50, 16);
    for (let i = 0; i < 50; i++) {
      const sigma = s.sigmas[i] ?? Number.NaN;
      expect(Math.fround(sigma)).toBe(sigma);
      // trunc(1000·σ) lies within one step below 1000·σ (σ rounded to float32 moves it by < 1e-4).
      const t = s.timesteps[i] ?? Number.NaN;
      expect(1000 * sigma - t).toBeGreaterThan(-1e-4);
      expect(1000 * sigma - t).toBeLessThan(1 + 1e-4);
    }
  });

  it('starts from the float32 of 0.999 (§7.3)', () => {
    expect(WAN_SIGMA_MAX).toBe(0.9990000128746033);
    // shift 1 leaves σ as is: σ_0 is σ_max, σ_i = σ_max·(1 − i/N)
    const s = wanSchedule(4, 1);
    expect(s.sigmas[0]).toBe(Math.fround(0.9990000128746033));
    expect(s.sigmas[2]).toBe(Math.fround(0.9990000128746033 / 2));
    expect(Array.from(s.timesteps)).toEqual([999, 749, 499, 249]);
  });

  it('rejects bad arguments', () => {
    expect(() => wanSchedule(0, 5)).toThrow(/steps/);
    expect(() => wanSchedule(2.5, 5)).toThrow(/steps/);
    expect(() => wanSchedule(10, 0)).toThrow(/shift/);
    expect(() => wanSchedule(10, Number.NaN)).toThrow(/shift/);
  });
});

describe('shiftSigma', () => {
  it('maps linspace(1, 0, 5)[:4] with shift 5 onto the Lightning 4-step list (§7.9)', () => {
    const shifted = [1, 0.75, 0.5, 0.25].map((s) => shiftSigma(s, 5) * 1000);
    [1000, 937.5, 833.333, 625].forEach((v, i) => {
      expect(shifted[i]).toBeCloseTo(v, 2);
    });
  });
});
