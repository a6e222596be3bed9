// The web app's configuration, validated at server start (instrumentation.ts); a bad value stops
// it with a message naming the variable. (next.config.ts loads the repository's .env.)
import net from 'node:net';
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
  /** Proxies whose X-Forwarded-For is believed: addresses or CIDR ranges (docs/security.md §8). */
  VISAGE_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .refine(
      (entries) => entries.every(isAddressOrRange),
      'must list IP addresses or CIDR ranges, e.g. 10.0.0.0/8',
    ),
  /** An upload with no data for this long, or still arriving after the deadline, is cut off (§7). */
  VISAGE_UPLOAD_IDLE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  VISAGE_UPLOAD_DEADLINE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  VISAGE_MEDIA_DIR: z.string().min(1).default('./.visage/media'),
  VISAGE_MAX_IMAGE_MB: z.coerce.number().positive().default(50),
  VISAGE_MAX_VIDEO_MB: z.coerce.number().positive().default(2048),
  VISAGE_ENABLE_TEST_PLUGIN: flag.default(false),
});

function isAddressOrRange(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

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
