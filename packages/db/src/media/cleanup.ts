// Temp-file clean-up that never hides the error that made it necessary.
import { rm } from 'node:fs/promises';

/**
 * Runs `work`, then `cleanup` whether it succeeded or not. When both fail, both errors are reported
 * (a failed clean-up is a server problem that must not go unnoticed, nor mask the first error).
 */
export async function withCleanup<T>(work: () => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    try {
      await cleanup();
    } catch (cleanupError) {
      throw new AggregateError(
        [error, cleanupError],
        `${(error as Error).message} (and clean-up failed: ${(cleanupError as Error).message})`,
      );
    }
    throw error;
  }
  await cleanup();
  return result;
}

/** Removes files that may or may not exist (`force` ignores only ENOENT; other errors throw). */
export async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((file) => rm(file, { force: true })));
}
