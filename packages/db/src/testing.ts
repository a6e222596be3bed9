// Throw-away databases for tests: every test run migrates its own database and drops it after.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { applyMigrations } from './migrations/index.ts';

export const DEFAULT_DATABASE_URL = 'postgresql://postgres:postgres@127.0.0.1:5432/visage';

/** The server tests use: TEST_DATABASE_URL, else DATABASE_URL, else the local default. */
export function testServerUrl(): string {
  return process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name (migrated unless `migrate: false`). */
export async function createTestDatabase({ migrate = true, label = 'test' } = {}): Promise<TestDatabase> {
  const name = `visage_${label}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(testServerUrl(), name);
  await runOnServer(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  if (migrate) await applyMigrations(url);
  return {
    name,
    url,
    drop: () => runOnServer(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  };
}

async function runOnServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(testServerUrl(), 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A Redis key prefix no other test run uses (REDIS_PREFIX for the code under test). */
export function testRedisPrefix(): string {
  return `visage-test-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix:` (a test run's clean-up). Returns how many were deleted. */
export async function deleteRedisKeys(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

export { type JobEventRecorder, recordJobEvents } from './jobs/testing.ts';
