import { describe } from 'vitest';

/**
 * Registers `tests` only on the given platforms. Elsewhere they are not part of the run at all (a
 * complete run reports 0 skipped) and the exclusion is printed with its reason, never silent.
 */
export function forPlatforms(platforms: NodeJS.Platform[], reason: string, tests: () => void): void {
  if (platforms.includes(process.platform)) {
    describe(`on ${platforms.join(' and ')}`, tests);
  } else {
    console.info(`[excluded on ${process.platform}] tests for ${platforms.join(' and ')} only: ${reason}`);
  }
}
