import type { Db } from '@visage/db';

// Any constant; the same in every web process.
const SIGNUP_LOCK_KEY = 740_401;

/**
 * Runs `fn` while holding a PostgreSQL advisory lock, so sign-ups are handled one at a time across
 * every web process: the "first account becomes admin" check cannot race (docs/auth.md §8.2).
 */
export async function withSignupLock<T>(db: Db, fn: () => Promise<T>): Promise<T> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SIGNUP_LOCK_KEY})`;
      return fn();
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}
