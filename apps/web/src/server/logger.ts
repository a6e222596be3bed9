import { logRedaction } from '@visage/db/env';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { config } from './config.ts';

/** The web app's pino logger: readable lines in dev and under npm start, JSON in production. */
function createLogger(): Logger {
  const { LOG_LEVEL, LOG_FORMAT } = config();
  // Secrets never reach the log (docs/security.md §10).
  const options = { name: 'web', level: LOG_LEVEL, ...logRedaction(pino.stdSerializers.err) };
  if (LOG_FORMAT === 'json') return pino(options);
  return pino(
    options,
    pretty({ colorize: process.stdout.isTTY || Boolean(process.env.FORCE_COLOR), sync: true }),
  );
}

let logger: Logger | undefined;
export function log(): Logger {
  logger ??= createLogger();
  return logger;
}
