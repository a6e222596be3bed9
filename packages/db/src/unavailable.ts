// Whether an error means PostgreSQL could not be reached or dropped the connection (an outage that
// passes), as opposed to a query it refused. The worker retries these writes (jobs/retrying.ts); the web
// app answers them with 503 (docs/reliability.md §5).

/** Prisma's connection-class codes: can't reach, timed out, operations timed out, server closed it. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
/** Prisma's driver-adapter error kinds (@prisma/adapter-pg maps socket errors to these). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
/** Socket errors node-postgres passes through when Prisma is not in between. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);
/** PostgreSQL's own: shutting down (57P01/57P02), starting up (57P03), connection exceptions (08…). */
const isServerUnavailableCode = (code: string) => /^(57P0[123]|08...)$/.test(code);

type ErrorLike = {
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
};

function isConnectionFailure(e: ErrorLike): boolean {
  if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code))) return true;
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  for (const code of [e.code, e.originalCode])
    if (typeof code === 'string' && isServerUnavailableCode(code)) return true;
  // node-postgres: "Connection terminated unexpectedly", "… due to connection timeout".
  return typeof e.message === 'string' && e.message.startsWith('Connection terminated');
}

/**
 * The link of `error`'s chain (itself, its `cause`s, Prisma's driver-adapter error) that says the
 * connection was lost or refused: the nearest Error at or above it, for its message; undefined if none.
 */
function findUnavailable(error: unknown, nearest?: Error, depth = 0): Error | undefined {
  if (depth > 8 || error === null || typeof error !== 'object') return undefined;
  const here = error instanceof Error ? error : nearest;
  const e = error as ErrorLike;
  if (isConnectionFailure(e)) return here ?? new Error(String(e.kind ?? e.code));
  // A failure and the failed clean-up after it: unavailable when every part of it is.
  if (error instanceof AggregateError && error.errors.length)
    return error.errors.every((part) => findUnavailable(part, here, depth + 1)) ? error : undefined;
  // Prisma keeps the driver adapter's error (and its kind) in `meta`; its own message reads better.
  const adapterError = findUnavailable(e.meta?.driverAdapterError, here, depth + 1);
  if (adapterError) return here ?? adapterError;
  return findUnavailable(e.cause, here, depth + 1);
}

/** True when `error`, or anything in its `cause` chain, is a lost or refused database connection. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return findUnavailable(error) !== undefined;
}

/**
 * One line saying why, e.g. "Server has closed the connection." (Prisma's messages start with the
 * failing call's source excerpt, and raw queries wrap the reason in "Raw query failed. … Message: `…`").
 */
export function databaseErrorReason(error: unknown): string {
  const found = findUnavailable(error) ?? error;
  const message = found instanceof Error ? found.message : String(found);
  const last =
    message
      .split('\n')
      .filter((line) => line.trim())
      .at(-1) ?? message;
  return /Message: `(.*)`$/.exec(last)?.[1] ?? last;
}

/** What a client is told while the database is away (the web app's 503 body). */
export const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unavailable; try again shortly';

/**
 * True when `error` (or its cause) is ioredis giving up on a command while Redis is away: its
 * per-request retry limit, or a closed connection (docs/reliability.md §4).
 */
export function isRedisUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 8 || error === null || typeof error !== 'object') return false;
  const e = error as { name?: unknown; message?: unknown; cause?: unknown };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.message === 'string' && /^(Connection is closed\.|Stream isn't writeable)/.test(e.message))
    return true;
  return isRedisUnavailable(e.cause, depth + 1);
}

/** What a client is told while Redis is away. */
export const REDIS_UNAVAILABLE_MESSAGE = 'The job queue (Redis) is unavailable; try again shortly';

/** The 503 message for an outage of the database or Redis, or undefined for any other error. */
export function outageMessage(error: unknown): string | undefined {
  if (isDatabaseUnavailable(error)) return DATABASE_UNAVAILABLE_MESSAGE;
  if (isRedisUnavailable(error)) return REDIS_UNAVAILABLE_MESSAGE;
  return undefined;
}
