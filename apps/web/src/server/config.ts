// The web app's configuration, validated at server start (instrumentation.ts); a bad value stops
// it with a message naming the variable. (next.config.ts loads the repository's .env.)
import path from 'node:path';
import { booleanEnv as flag, liveLimitEnv, logEnv, logFormat, parseEnv, storeEnv } from '@visage/db/env';
import { z } from 'zod';

export { ConfigError } from '@visage/db/env';

const repoRoot = path.resolve(
  process.cwd(),
  process.cwd().endsWith(path.join('apps', 'web')) ? '../..' : '.',
);
const MIB = 1024 * 1024;

const schema = z.object({
  ...storeEnv,
  ...logEnv,
  ...liveLimitEnv,
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters (setup.sh generates one)'),
  /** The URL people open Visage at; cookies and CSRF origin checks depend on it. */
  BETTER_AUTH_URL: z.url().optional(),
  VISAGE_TRUSTED_ORIGINS: z.string().default(''),
  VISAGE_AUTH_RATE_LIMIT: flag.optional(),
  VISAGE_MEDIA_DIR: z.string().min(1).default('./.visage/media'),
  VISAGE_MAX_IMAGE_MB: z.coerce.number().positive().default(50),
  VISAGE_MAX_VIDEO_MB: z.coerce.number().positive().default(2048),
  VISAGE_ENABLE_TEST_PLUGIN: flag.default(false),
});

export type WebConfig = ReturnType<typeof parseConfig>;

export function parseConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseEnv(schema, env, 'web');
  return {
    ...parsed,
    LOG_FORMAT: logFormat(parsed),
    BETTER_AUTH_URL: parsed.BETTER_AUTH_URL ?? `http://localhost:${parsed.PORT}`,
    trustedOrigins: parsed.VISAGE_TRUSTED_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    // Login rate limiting is on in production unless turned off explicitly.
    authRateLimit: parsed.VISAGE_AUTH_RATE_LIMIT ?? parsed.NODE_ENV === 'production',
    mediaDir: path.resolve(repoRoot, parsed.VISAGE_MEDIA_DIR),
    maxImageBytes: Math.round(parsed.VISAGE_MAX_IMAGE_MB * MIB),
    maxVideoBytes: Math.round(parsed.VISAGE_MAX_VIDEO_MB * MIB),
  };
}

let cached: WebConfig | undefined;
export function config(): WebConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
