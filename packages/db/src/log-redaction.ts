// What the web app's and the worker's loggers hide (docs/security.md §10): secrets under the field
// names they travel in, and passwords inside connection URLs wherever text is logged.

/** pino `redact` paths: credentials at the top level or one object down, and request headers. */
export const LOG_REDACT_PATHS = [
  ...[
    ...['password', 'newPassword', 'currentPassword', 'token', 'secret', 'apiKey', 'cookie', 'authorization'],
    ...['DATABASE_URL', 'REDIS_URL', 'BETTER_AUTH_SECRET', 'databaseUrl', 'redisUrl', 'authSecret'],
  ].flatMap((name) => [name, `*.${name}`]),
  ...['cookie', 'authorization', 'x-api-key', 'set-cookie'].map((name) => `*.headers["${name}"]`),
];

// scheme://user:password@host → scheme://user:***@host
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;

/** `text` with the passwords of any URLs in it replaced by ***. */
export function redactCredentials(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@');
}

interface SerializedError {
  message: string;
  stack: string;
  [key: string]: unknown;
}

/**
 * The pino options both apps' loggers use (pino is theirs, so its error serializer is passed in):
 * redacted fields, and URL passwords scrubbed from messages and errors.
 */
export function logRedaction(serializeError: (error: Error) => SerializedError) {
  return {
    redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      err: (error: Error) => {
        const serialized = serializeError(error);
        return {
          ...serialized,
          message: redactCredentials(serialized.message),
          stack: redactCredentials(serialized.stack),
        };
      },
    },
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...args: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? redactCredentials(arg) : arg)),
        );
      },
    },
  };
}
