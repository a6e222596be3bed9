// Process-wide connections of the web server, created on first use. Kept on globalThis so that
// Next's dev-mode module reloads reuse them instead of leaking a pool per edit.
import { createDb, createRedis, type Db } from '@visage/db';
import type { Redis } from 'ioredis';
import { config } from './config.ts';
import { log } from './logger.ts';

interface Services {
  db: Db;
  redis: Redis;
  /** The error that keeps Redis disconnected, if it is. */
  redisConnectionError(): string | undefined;
}

const globalForServices = globalThis as typeof globalThis & { visageServices?: Services };

export function services(): Services {
  if (!globalForServices.visageServices) {
    const { DATABASE_URL, REDIS_URL } = config();
    // Commands fail fast while Redis is down (health reports it) instead of queueing forever.
    const redis = createRedis(REDIS_URL, `visage-web:${process.pid}`, { maxRetriesPerRequest: 1 });
    let lastRedisError: string | undefined;
    redis.on('error', (error: Error) => {
      // ioredis emits on every reconnect attempt; log each distinct failure once.
      if (error.message === lastRedisError) return;
      lastRedisError = error.message;
      log().warn({ err: error }, 'redis connection error (reconnecting)');
    });
    redis.on('ready', () => {
      lastRedisError = undefined;
    });
    globalForServices.visageServices = {
      db: createDb({ url: DATABASE_URL, applicationName: `visage-web:${process.pid}` }),
      redis,
      redisConnectionError: () => (redis.status === 'ready' ? undefined : lastRedisError),
    };
  }
  return globalForServices.visageServices;
}
