// Pieces of the apps' zod config modules that concern the stores this package connects to, plus
// the error formatting both apps share, so a bad variable reads the same from web and worker.
import { z } from 'zod';
import { DEFAULT_LIVE_SESSIONS_PER_USER } from './live/sessions.ts';
import { redactCredentials } from './log-redaction.ts';

const urlWith = (protocols: string[]) =>
  z.string().refine((value) => URL.canParse(value) && protocols.includes(new URL(value).protocol), {
    message: `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`,
  });

export const storeEnv = {
  DATABASE_URL: urlWith(['postgresql:', 'postgres:']),
  REDIS_URL: urlWith(['redis:', 'rediss:']),
  /** Namespaces every Redis key (BullMQ queues, heartbeats), so one Redis can serve several installs or test runs. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[\w.-]+$/, 'letters, digits, "_", "." or "-" only')
    .default('visage'),
};

/** Read by the web app (live.start) and every worker (admission), so both must agree (docs/live.md §2). */
export const liveLimitEnv = {
  /** Live sessions one user may have open at once, across all workers. */
  VISAGE_LIVE_SESSIONS_PER_USER: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(DEFAULT_LIVE_SESSIONS_PER_USER),
};

export const logEnv = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
};

export { LOG_REDACT_PATHS, logRedaction, redactCredentials } from './log-redaction.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates `env` against `schema`; throws ConfigError naming every bad variable and its value. */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv, app: string): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    // Never echo a secret, nor the password in a connection URL (docs/security.md §10).
    const shown = value && /SECRET|PASSWORD|TOKEN/.test(name) ? '(hidden)' : redactCredentials(value ?? '');
    return `  ${name}: ${issue.message}${value === undefined ? ' (not set)' : ` (got "${shown}")`}`;
  });
  throw new ConfigError(`Invalid ${app} configuration:\n${problems.join('\n')}\nSee .env.example.`);
}

/** JSON logs in production, readable ones elsewhere, unless LOG_FORMAT says otherwise. */
export function logFormat(env: {
  NODE_ENV: string;
  LOG_FORMAT?: 'pretty' | 'json' | undefined;
}): 'pretty' | 'json' {
  return env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty');
}

/** A yes/no variable: 1/true or 0/false. */
export const booleanEnv = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
