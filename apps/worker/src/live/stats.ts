// Per-session counters for the live stats message (docs/live.md §4): totals since the start and
// rates, means and percentiles over the last window (one second).
import type { Percentiles, StatsMessage } from '@visage/db/live';

/** Nearest-rank percentiles; null for no samples. */
export function percentiles(values: number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return { p50: at(0.5), p95: at(0.95) };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export class LiveStats {
  framesIn = 0;
  framesOut = 0;
  droppedIn = 0;
  droppedOut = 0;
  rejected = 0;
  #in = 0;
  #out = 0;
  #stageMs: Record<string, number> = {};
  #stageFrames = 0;
  #workerLatency: number[] = [];
  #clientLatency: number[] = [];
  #since = performance.now();

  received(): void {
    this.framesIn++;
    this.#in++;
  }

  /** A waiting input was replaced by a newer one before it was processed. */
  replaced(): void {
    this.droppedIn++;
  }

  /** A frame was not a readable image of the announced size. */
  reject(): void {
    this.rejected++;
  }

  /** A frame went through every stage; `sent` is false when the reader was too slow to take it. */
  processed(stagesMs: Record<string, number>, workerLatencyMs: number, sent: boolean): void {
    for (const [stage, ms] of Object.entries(stagesMs))
      this.#stageMs[stage] = (this.#stageMs[stage] ?? 0) + ms;
    this.#stageFrames++;
    this.#workerLatency.push(workerLatencyMs);
    if (sent) {
      this.framesOut++;
      this.#out++;
    } else {
      this.droppedOut++;
    }
  }

  /** The client showed a frame `latencyMs` after capturing it. */
  shown(latencyMs: number): void {
    if (Number.isFinite(latencyMs) && latencyMs >= 0 && this.#clientLatency.length < 1000)
      this.#clientLatency.push(latencyMs);
  }

  /** The figures of the window since the last call, which starts a new window. */
  take(): Omit<StatsMessage, 'type' | 'providers' | 'cpuFallback' | 'recording'> {
    const now = performance.now();
    const seconds = Math.max((now - this.#since) / 1000, 1e-3);
    const stagesMs = Object.fromEntries(
      Object.entries(this.#stageMs).map(([stage, ms]) => [
        stage,
        round1(ms / Math.max(this.#stageFrames, 1)),
      ]),
    );
    const result = {
      fpsIn: round1(this.#in / seconds),
      fpsOut: round1(this.#out / seconds),
      stagesMs,
      workerLatencyMs: percentiles(this.#workerLatency),
      latencyMs: percentiles(this.#clientLatency),
      droppedIn: this.droppedIn,
      droppedOut: this.droppedOut,
      rejected: this.rejected,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
    };
    this.#in = 0;
    this.#out = 0;
    this.#stageMs = {};
    this.#stageFrames = 0;
    this.#workerLatency = [];
    this.#clientLatency = [];
    this.#since = now;
    return result;
  }
}
