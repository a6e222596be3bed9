import { type Db, databaseErrorReason, pingDb } from '@visage/db';
import { listWorkers } from '@visage/db/jobs';
import type { Redis } from 'ioredis';

export interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface Health {
  status: 'ok' | 'error';
  /** What is down and why, e.g. "redis: connect ECONNREFUSED 127.0.0.1:6379"; absent when all is well. */
  reason?: string;
  checks: { database: CheckResult; redis: CheckResult };
  /** Workers that refreshed their presence key in the last 30 s. */
  workers: number | null;
  time: string;
}

/** Runs `probe` with a deadline, so a hung store makes the check fail instead of the request hang. */
async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** What /api/health reports: each store's reachability and the number of live workers. */
export async function checkHealth(
  {
    db,
    redis,
    redisPrefix,
    redisConnectionError = () => undefined,
  }: {
    db: Db;
    redis: Redis;
    redisPrefix: string;
    /** Why the client is disconnected, when it is: more telling than the failed PING's error. */
    redisConnectionError?: () => string | undefined;
  },
  timeoutMs = 2_000,
): Promise<Health> {
  const pingDatabase = async () => {
    try {
      await pingDb(db);
    } catch (error) {
      // Prisma's message starts with a source excerpt; the reason is its last line.
      throw new Error(databaseErrorReason(error), { cause: error });
    }
  };
  const pingRedis = async () => {
    // A client that is reconnecting would hold the PING until its next attempt (up to 2 s apart).
    const down = redisConnectionError();
    if (down) throw new Error(down);
    try {
      return await redis.ping();
    } catch (error) {
      throw new Error(redisConnectionError() ?? (error as Error).message, { cause: error });
    }
  };
  const [database, redisCheck] = await Promise.all([
    check(pingDatabase, timeoutMs),
    check(pingRedis, timeoutMs),
  ]);
  const workers = redisCheck.ok ? (await listWorkers(redis, redisPrefix)).length : null;
  const failed = Object.entries({ database, redis: redisCheck }).filter(([, c]) => !c.ok);
  return {
    status: failed.length ? 'error' : 'ok',
    ...(failed.length ? { reason: failed.map(([name, c]) => `${name}: ${c.error}`).join('; ') } : {}),
    checks: { database, redis: redisCheck },
    workers,
    time: new Date().toISOString(),
  };
}
