import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis client that connects in the background and keeps reconnecting, for long-lived servers
 * whose callers handle a failed command (the web app's health check, queues). Attach an 'error'
 * listener: ioredis emits one per failed reconnect.
 */
export function createRedis(url: string, connectionName: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { connectionName, connectTimeout: 5_000, maxRetriesPerRequest: null, ...options });
}

/**
 * Connects to Redis and fails with a clear message when it cannot (ioredis would otherwise retry
 * forever in the background). After the first connection, ioredis reconnects on its own.
 */
export async function connectRedis(url: string, connectionName: string): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName,
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: null, // required by BullMQ workers
  });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    const where = new URL(url);
    throw new Error(
      `Cannot reach Redis at ${where.host} (${(error as Error).message}). Start it (npm start does) or set REDIS_URL.`,
      { cause: error },
    );
  }
}
