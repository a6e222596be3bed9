// Shared vitest settings: every package writes a JSON report to test-results/ so that
// scripts/test-summary.mjs can print one summary line for the whole suite after turbo finishes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));

export function visageTestConfig(packageDir: string, overrides: ViteUserConfig = {}) {
  const name = path.relative(root, packageDir).replaceAll(path.sep, '-');
  return mergeConfig(
    defineConfig({
      test: {
        name,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
        reporters: ['default', 'json'],
        outputFile: { json: path.join(root, 'test-results', `${name}.json`) },
        // The tests' model mirrors run on loopback, which model downloads refuse unless allowed
        // (docs/security.md §3); children spawned with process.env inherit it.
        env: { VISAGE_MODEL_ALLOW_PRIVATE_HOSTS: '127.0.0.1,localhost' },
        testTimeout: 30_000,
        hookTimeout: 60_000,
        // expect.poll waits on real servers and browsers on shared 2-core machines, where a refetch can
        // take longer than vitest's 1 s default.
        expect: { poll: { timeout: 10_000 } },
      },
    }),
    overrides,
  );
}
