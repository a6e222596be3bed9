import { createDb, createRedis, type Db } from '@visage/db';
import { createTestDatabase, deleteRedisKeys, type TestDatabase, testRedisPrefix } from '@visage/db/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../src/server/health.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testRedisPrefix();

describe(checkHealth.name, () => {
  let database: TestDatabase;
  let db: Db;
  let redis: Redis;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'web' });
    db = createDb({ url: database.url });
    redis = createRedis(redisUrl, 'visage-web-test');
  });
  afterAll(async () => {
    await deleteRedisKeys(redis, prefix);
    await redis.quit();
    await db.$disconnect();
    await database.drop();
  });

  it('should report ok with both stores up, and count live workers', async () => {
    await redis.set(`${prefix}:workers:a`, '{}', 'EX', 30);
    await redis.set(`${prefix}:workers:b`, '{}', 'EX', 30);
    await redis.set(`other-${prefix}:workers:c`, '{}', 'EX', 30); // another install: not ours
    const health = await checkHealth({ db, redis, redisPrefix: prefix });
    await redis.del(`other-${prefix}:workers:c`);
    expect(health.status).toBe('ok');
    expect(health.checks.database).toMatchObject({ ok: true });
    expect(health.checks.redis).toMatchObject({ ok: true });
    expect(health.workers).toBe(2);
  });

  it('should report a Redis that is down, and why, without failing the database check', async () => {
    const down = createRedis('redis://127.0.0.1:1', 'visage-web-test-down', { maxRetriesPerRequest: 1 });
    let lastError: string | undefined;
    down.on('error', (error: Error) => {
      lastError = error.message;
    });
    try {
      const health = await checkHealth({
        db,
        redis: down,
        redisPrefix: prefix,
        redisConnectionError: () => lastError,
      });
      expect(health.status).toBe('error');
      expect(health.checks.database.ok).toBe(true);
      expect(health.checks.redis.ok).toBe(false);
      expect(health.checks.redis.error).toBe('connect ECONNREFUSED 127.0.0.1:1');
      expect(health.workers).toBeNull();
    } finally {
      down.disconnect();
    }
  });

  it('should report a database that is down', async () => {
    const downDb = createDb({ url: 'postgresql://postgres@127.0.0.1:1/visage' });
    try {
      const health = await checkHealth({ db: downDb, redis, redisPrefix: prefix });
      expect(health.status).toBe('error');
      expect(health.checks.database.ok).toBe(false);
      expect(health.checks.database.error).toMatch(/127\.0\.0\.1:1/);
      expect(health.checks.redis.ok).toBe(true);
    } finally {
      await downDb.$disconnect();
    }
  });

  it('should fail a check that hangs instead of hanging the request', async () => {
    const hung = { ping: () => new Promise(() => undefined) } as unknown as Redis;
    const health = await checkHealth({ db, redis: hung, redisPrefix: prefix }, 200);
    expect(health.checks.redis).toMatchObject({ ok: false, error: 'no answer within 200 ms' });
  });
});
