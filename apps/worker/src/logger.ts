import { logRedaction } from '@visage/db/env';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** pino, human-readable when format is "pretty" (dev, npm start), JSON lines otherwise. */
export function createLogger({ level, format }: { level: string; format: 'pretty' | 'json' }): Logger {
  // Secrets never reach the log (docs/security.md §10).
  const options = { name: 'worker', level, ...logRedaction(pino.stdSerializers.err) };
  if (format === 'json') return pino(options);
  // A synchronous stream, not a transport thread, so the last lines before exit are never lost.
  return pino(
    options,
    pretty({ colorize: process.stdout.isTTY || Boolean(process.env.FORCE_COLOR), sync: true }),
  );
}
