// The web app's configuration, validated on first use; a bad value fails with a message naming
// the variable. (next.config.ts loads the repository's .env.)
import { logEnv, logFormat, parseEnv, storeEnv } from '@visage/db/env';

export { ConfigError } from '@visage/db/env';

import { z } from 'zod';

const schema = z.object({ ...storeEnv, ...logEnv });

export type WebConfig = ReturnType<typeof parseConfig>;

export function parseConfig(env: NodeJS.ProcessEnv) {
  const parsed = parseEnv(schema, env, 'web');
  return { ...parsed, LOG_FORMAT: logFormat(parsed) };
}

let cached: WebConfig | undefined;
export function config(): WebConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
