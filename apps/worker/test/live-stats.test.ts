// The live stats: nearest-rank percentiles and the per-window figures a session reports each second.
import { describe, expect, it } from 'vitest';
import { LiveStats, percentiles } from '../src/live/stats.ts';

describe('percentiles', () => {
  it('should take the nearest rank (the ceil(q·n)-th smallest value)', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100…1, unsorted
    expect(percentiles(hundred)).toEqual({ p50: 50, p95: 95 });
    expect(percentiles([7])).toEqual({ p50: 7, p95: 7 });
    expect(percentiles([3, 1, 2, 10])).toEqual({ p50: 2, p95: 10 });
    expect(percentiles([])).toBeNull();
  });
});

describe('LiveStats', () => {
  it('should keep totals across windows and reset rates, means and latencies each window', () => {
    const stats = new LiveStats();
    for (let i = 0; i < 4; i++) stats.received();
    stats.replaced();
    stats.processed({ decode: 2, process: 10, encode: 4 }, 20, true);
    stats.processed({ decode: 4, process: 20, encode: 6 }, 40, false);
    stats.shown(55);
    stats.shown(Number.NaN); // a client's bad number is ignored
    const first = stats.take();
    expect(first).toMatchObject({
      framesIn: 4,
      framesOut: 1,
      droppedIn: 1,
      droppedOut: 1,
      rejected: 0,
      stagesMs: { decode: 3, process: 15, encode: 5 },
      workerLatencyMs: { p50: 20, p95: 40 },
      latencyMs: { p50: 55, p95: 55 },
    });
    expect(first.fpsIn).toBeGreaterThan(0);
    const second = stats.take();
    expect(second).toMatchObject({
      framesIn: 4,
      framesOut: 1,
      fpsIn: 0,
      fpsOut: 0,
      stagesMs: {},
      workerLatencyMs: null,
      latencyMs: null,
    });
  });
});
