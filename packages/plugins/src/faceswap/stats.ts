// Small helpers for what a face swap job records in its metadata.

/** Milliseconds rounded to 0.1 for the job metadata. */
export function roundTimings<T extends object>(timings: T): Record<keyof T, number> {
  return Object.fromEntries(
    Object.entries(timings).map(([stage, ms]) => [stage, Math.round((ms as number) * 10) / 10]),
  ) as Record<keyof T, number>;
}

/** Faces found per frame as run-length pairs [count, frames]: compact for long, steady videos. */
export class RunLengths {
  readonly runs: [number, number][] = [];

  push(value: number): void {
    const last = this.runs.at(-1);
    if (last && last[0] === value) last[1]++;
    else this.runs.push([value, 1]);
  }
}
