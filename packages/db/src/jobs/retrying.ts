// The worker's job-repository writes ride out a short PostgreSQL outage: a write that failed because
// the connection was lost or refused is retried with exponential back-off, up to a bound; any other
// error (a refused transition, a bad query) is thrown at once, unchanged (docs/reliability.md §5).
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseErrorReason, isDatabaseUnavailable } from '../unavailable.ts';

export interface DbRetryOptions {
  log: { warn(context: Record<string, unknown>, message: string): void };
  /** Tries in all, the first included. */
  attempts?: number;
  /** Wait before the first retry; doubled for each next one, up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/** About 26 s of waiting in all (0.2, 0.4, 0.8, 1.6, 3.2, then 5 s four times): a database restart fits. */
export const DB_RETRY_DEFAULTS = { attempts: 10, initialDelayMs: 200, maxDelayMs: 5_000 } as const;

/** Runs `write`, retrying it while the database is unavailable; `context` goes into each log line. */
export async function withDbRetry<T>(
  write: () => Promise<T>,
  options: DbRetryOptions,
  context: Record<string, unknown> = {},
): Promise<T> {
  const { attempts, initialDelayMs, maxDelayMs } = { ...DB_RETRY_DEFAULTS, ...options };
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= attempts || !isDatabaseUnavailable(error)) throw error;
      const delayMs = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      options.log.warn(
        { ...context, attempt, of: attempts, delayMs, reason: databaseErrorReason(error) },
        'database unavailable; retrying the write',
      );
      await sleep(delayMs);
    }
  }
}

/**
 * The same repository with every method wrapped in `withDbRetry` (methods added later are covered
 * too). Each log line names the method and, when its first argument is a job id, the job.
 */
export function retryingJobRepository<R extends object>(repository: R, options: DbRetryOptions): R {
  const wrapped = Object.entries(repository).map(([name, member]) => {
    if (typeof member !== 'function') return [name, member];
    const retrying = (...args: unknown[]) =>
      withDbRetry(() => member(...args), options, {
        method: `jobs.${name}`,
        ...(typeof args[0] === 'string' ? { jobId: args[0] } : {}),
      });
    return [name, retrying];
  });
  return Object.fromEntries(wrapped) as R;
}
