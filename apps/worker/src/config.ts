// The worker's configuration, read once from the environment (and the repository's .env) and
// validated, so a bad value stops the worker at start with a message naming the variable.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { booleanEnv, liveLimitEnv, logEnv, logFormat, parseEnv, storeEnv } from '@visage/db/env';
import { z } from 'zod';

export { ConfigError } from '@visage/db/env';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const envFile = path.join(repoRoot, '.env');

const schema = z.object({
  ...storeEnv,
  ...logEnv,
  ...liveLimitEnv,
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
  /** A job whose worker died this many times is run again; one more stall fails it (§8.9). */
  VISAGE_MAX_STALLED_COUNT: z.coerce.number().int().min(0).max(100).default(1),
  /** auto picks the best present; naming one that is absent stops the worker with the reason. */
  VISAGE_DEVICE: z.enum(['auto', 'cuda', 'mps', 'cpu']).default('auto'),
  /** Memory models may take, in GiB; default: free VRAM minus a reserve, or a share of (unified) RAM. */
  VISAGE_MODEL_MEMORY_GB: z.coerce.number().positive().optional(),
  /** Unload a model this many seconds after its last use (0 keeps it until evicted). */
  VISAGE_MODEL_IDLE_TTL_S: z.coerce.number().min(0).default(600),
  /** Longest driving video (or motion template) portrait animation accepts; read by the plugin. */
  VISAGE_MAX_DRIVING_SECONDS: z.coerce.number().positive().default(600),

  // Live mode (docs/live.md). The web app's secret signs the tickets; without it live mode is off.
  BETTER_AUTH_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (setup.sh generates one)')
    .optional(),
  /** Port of this worker's live endpoint (0: any free port, which the heartbeat publishes). */
  VISAGE_LIVE_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** Address it listens on: loopback unless the web app runs on another machine or container. */
  VISAGE_LIVE_HOST: z.string().min(1).default('127.0.0.1'),
  /** How the web server reaches it, when not ws://VISAGE_LIVE_HOST:port (containers: ws://worker:3001). */
  VISAGE_LIVE_URL: z.url({ protocol: /^wss?$/ }).optional(),
  /** Live sessions at once on this worker (0 turns live mode off); default 1 on cpu, 2 on a GPU. */
  VISAGE_LIVE_SLOTS: z.coerce.number().int().min(0).max(64).optional(),
  /** Longest live recording; a longer one is saved at this length. */
  VISAGE_LIVE_MAX_RECORD_S: z.coerce.number().int().min(1).default(600),
});

export type WorkerConfig = ReturnType<typeof loadConfig>;

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = parseEnv(schema, env, 'worker');
  return { ...parsed, LOG_FORMAT: logFormat(parsed) };
}
