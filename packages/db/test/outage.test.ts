// Which errors the web app answers as an outage (503) rather than a bug: real errors from real
// clients pointed at a port nobody listens on, and a real query error that is no outage.

import { once } from 'node:events';
import net from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  createDb,
  DATABASE_UNAVAILABLE_MESSAGE,
  isRedisUnavailable,
  outageMessage,
  REDIS_UNAVAILABLE_MESSAGE,
} from '../src/index.ts';

/** A loopback port that was free a moment ago: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('outageMessage', () => {
  it('should take ioredis giving up on a command for a Redis outage', async () => {
    const redis = new Redis({ port: await closedPort(), maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    redis.on('error', () => undefined); // the refused connects themselves are what this test wants
    const error: unknown = await redis.get('k').catch((e: unknown) => e);
    redis.disconnect();
    expect(isRedisUnavailable(error)).toBe(true);
    expect(outageMessage(error)).toBe(REDIS_UNAVAILABLE_MESSAGE);
    expect(outageMessage(new Error('wrapped', { cause: error }))).toBe(REDIS_UNAVAILABLE_MESSAGE);
  });

  it('should take a refused database connection for a database outage', async () => {
    const db = createDb({ url: `postgresql://postgres@127.0.0.1:${await closedPort()}/none` });
    const error: unknown = await db.$queryRaw`SELECT 1`.catch((e: unknown) => e);
    await db.$disconnect();
    expect(outageMessage(error)).toBe(DATABASE_UNAVAILABLE_MESSAGE);
  });

  it('should not take a bad query or a plain error for an outage', async () => {
    const db = createDb({ url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' });
    const error: unknown = await db.$queryRawUnsafe('SELECT * FROM no_such_table').catch((e: unknown) => e);
    await db.$disconnect();
    expect(error).toBeInstanceOf(Error);
    expect(outageMessage(error)).toBeUndefined();
    expect(outageMessage(new Error('Connection is fine'))).toBeUndefined();
    expect(isRedisUnavailable(new TypeError('x is not a function'))).toBe(false);
  });
});
