/** Stage timings as recorded on a job: milliseconds to one decimal. */
export function roundTimings<T extends object>(timings: T): Record<keyof T, number> {
  return Object.fromEntries(
    Object.entries(timings).map(([stage, ms]) => [stage, Math.round((ms as number) * 10) / 10]),
  ) as Record<keyof T, number>;
}
