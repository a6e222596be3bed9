import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NextConfig } from 'next';

const repoRoot = path.resolve(import.meta.dirname, '../..');
// Share the repository's .env (written by scripts/setup.sh) with the worker; real env vars win.
const envFile = path.join(repoRoot, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);

const config: NextConfig = {
  // Tests run their own dev server in a separate folder so they never fight a running `npm run dev`.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Workspace packages ship TypeScript source; Next compiles them.
  transpilePackages: ['@visage/db', '@visage/api', '@visage/plugins', '@visage/ffmpeg'],
  // Node-only libraries that must not be bundled (native bindings, worker threads, wasm).
  serverExternalPackages: [
    'pino',
    'pino-pretty',
    'pg',
    'ioredis',
    'bullmq',
    'sharp',
    'file-type',
    'better-auth',
  ],
  turbopack: { root: repoRoot },
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
  // The dev-mode badge sits over page content (and in the browser tests' screenshots).
  devIndicators: false,
  // A type error fails the build (the UI tests also run `next build`, see test/build.test.ts).
  typescript: { ignoreBuildErrors: false },
};

export default config;
