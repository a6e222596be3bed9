// The worker's configuration, read once from the environment (and the repository's .env) and
// validated, so a bad value stops the worker at start with a message naming the variable.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanEnv, logEnv, logFormat, parseEnv, storeEnv } from '@visage/db/env';
import { z } from 'zod';

export { ConfigError } from '@visage/db/env';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const envFile = path.join(repoRoot, '.env');

const schema = z.object({
  ...storeEnv,
  ...logEnv,
  // Relative paths are from the repository root, whatever directory the worker starts in.
  VISAGE_MODELS_DIR: z
    .string()
    .min(1)
    .default('./.visage/models')
    .transform((dir) => path.resolve(repoRoot, dir)),
  /** A JSON file of extra or replacing model catalog entries (private mirrors, test fixtures). */
  VISAGE_MODEL_CATALOG: z
    .string()
    .min(1)
    .optional()
    .transform((file) => (file ? path.resolve(repoRoot, file) : undefined)),
  VISAGE_WORKER_ID: z
    .string()
    .regex(/^[\w.-]+$/, 'letters, digits, "_", "." or "-" only')
    .default(`${os.hostname()}-${process.pid}`),
  VISAGE_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  VISAGE_MEDIA_DIR: z
    .string()
    .min(1)
    .default('./.visage/media')
    .transform((dir) => path.resolve(repoRoot, dir)),
  VISAGE_ENABLE_TEST_PLUGIN: booleanEnv.default(false),
  /** Serve only these plugins' queues (comma-separated); default: every enabled plugin. */
  VISAGE_PLUGINS: z.string().optional(),
  /** Jobs run at once per plugin queue (1 per GPU is right for model inference). */
  VISAGE_QUEUE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** A crashed worker's job is picked up again once its lock (this long) has expired. */
  VISAGE_JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(30_000),
  VISAGE_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** auto picks the best present; naming one that is absent stops the worker with the reason. */
  VISAGE_DEVICE: z.enum(['auto', 'cuda', 'mps', 'cpu']).default('auto'),
  /** Memory models may take, in GiB; default: free VRAM minus a reserve, or a share of (unified) RAM. */
  VISAGE_MODEL_MEMORY_GB: z.coerce.number().positive().optional(),
  /** Unload a model this many seconds after its last use (0 keeps it until evicted). */
  VISAGE_MODEL_IDLE_TTL_S: z.coerce.number().min(0).default(600),
  /** Longest driving video (or motion template) portrait animation accepts; read by the plugin. */
  VISAGE_MAX_DRIVING_SECONDS: z.coerce.number().positive().default(600),
});

export type WorkerConfig = ReturnType<typeof loadConfig>;

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = parseEnv(schema, env, 'worker');
  return { ...parsed, LOG_FORMAT: logFormat(parsed) };
}
