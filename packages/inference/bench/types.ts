// Each benchmark measures Visage against a baseline side by side, in one run, and reports ratios.
export interface BenchResult {
  name: string;
  /** Plain numbers (ms, fps, µs, ratios) for the JSON result file. */
  metrics: Record<string, number>;
  /** One or two human-readable lines for the console. */
  summary: string;
  /** Targets the benchmark states; `pnpm bench`'s closing table marks each met or missed. */
  goals?: BenchGoal[];
  /** Metrics (keys of `metrics`) the closing table shows besides the goals' (default: the first three). */
  key?: string[];
}

/** A bound on one metric: `max` (at most) and/or `min` (at least). */
export interface BenchGoal {
  /** A key of `metrics`. */
  metric: string;
  /** What the figure is, for the table, e.g. "processor / ONNX". */
  label: string;
  max?: number;
  min?: number;
}

export type Bench = () => Promise<BenchResult>;
