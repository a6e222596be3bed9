// Each benchmark measures Visage against a baseline side by side, in one run, and reports ratios.
export interface BenchResult {
  name: string;
  /** Plain numbers (ms, fps, µs, ratios) for the JSON result file. */
  metrics: Record<string, number>;
  /** One or two human-readable lines for the console. */
  summary: string;
}

export type Bench = () => Promise<BenchResult>;
