// Starts the real worker process against the real PostgreSQL and Redis, then stops it with a signal.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { createDb, type Db } from '@visage/db';
import { workerKey } from '@visage/db/jobs';
import { createTestDatabase, deleteRedisKeys, type TestDatabase, testRedisPrefix } from '@visage/db/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionName } from '../src/worker.ts';

const workerDir = path.resolve(import.meta.dirname, '..');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testRedisPrefix();

interface Started {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Every worker a test started, so none outlives a failed test. */
const spawned: Started[] = [];

function spawnWorker(env: Record<string, string>): Started {
  // The same command `npm start` runs.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: workerDir,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', REDIS_PREFIX: prefix, ...env },
  });
  const started: Started = {
    child,
    stdout: [],
    stderr: [],
    exit: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>,
  };
  child.stdout?.on('data', (chunk: Buffer) =>
    started.stdout.push(...chunk.toString().split('\n').filter(Boolean)),
  );
  child.stderr?.on('data', (chunk: Buffer) => started.stderr.push(chunk.toString()));
  spawned.push(started);
  return started;
}

async function waitForLog(
  started: Started,
  msg: string,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = started.stdout
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === msg);
    if (line) return line;
    if (started.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `worker never logged "${msg}". stdout:\n${started.stdout.join('\n')}\nstderr:\n${started.stderr.join('')}`,
  );
}

describe('worker process', () => {
  let database: TestDatabase;
  let db: Db;
  let redis: Redis;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'worker' });
    db = createDb({ url: database.url, applicationName: 'visage-worker-test' });
    redis = new Redis(redisUrl);
  });
  afterEach(() => {
    // A failed assertion must not leave a worker running (and holding connections).
    for (const started of spawned.splice(0))
      if (started.child.exitCode === null) started.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await deleteRedisKeys(redis, prefix);
    await redis.quit();
    await db.$disconnect();
    await database.drop();
  });

  const pgConnections = async (name: string) =>
    Number(
      (
        await db.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ${name}`
      )[0]?.n,
    );
  /** Connections whose name is `name`, or starts with it when it ends in ":". */
  const redisConnections = async (name: string) =>
    ((await redis.client('LIST')) as string)
      .split('\n')
      .filter((line) => line.includes(name.endsWith(':') ? ` name=${name}` : ` name=${name} `)).length;

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`should close its connections and exit 0 on ${signal}`, async () => {
      const id = `test-${signal}-${randomBytes(3).toString('hex')}`;
      // With a plugin enabled, so its BullMQ queue connections must be closed too.
      const worker = spawnWorker({
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        VISAGE_WORKER_ID: id,
        VISAGE_ENABLE_TEST_PLUGIN: '1',
      });
      await waitForLog(worker, 'worker ready');

      expect(await pgConnections(connectionName(id))).toBeGreaterThan(0);
      // Commands and the cancel subscriber; BullMQ names its own connection after the queue.
      expect(await redisConnections(connectionName(id))).toBe(2);
      await expect.poll(() => redisConnections(`${prefix}:`), { timeout: 5_000 }).toBeGreaterThan(0);
      const presence = JSON.parse((await redis.get(workerKey(prefix, id))) ?? 'null');
      expect(presence).toMatchObject({
        id,
        pid: expect.any(Number),
        accelerator: expect.stringMatching(/cpu|cuda|mps/),
      });

      worker.child.kill(signal);
      const [code] = await worker.exit;
      expect(code).toBe(0);
      await waitForLog(worker, 'worker stopped');
      expect(await pgConnections(connectionName(id))).toBe(0);
      expect(await redisConnections(connectionName(id))).toBe(0);
      expect(await redisConnections(`${prefix}:`)).toBe(0);
      expect(await redis.exists(workerKey(prefix, id))).toBe(0);
    });
  }

  it('should refuse to start with a bad variable and say which', async () => {
    const worker = spawnWorker({ DATABASE_URL: database.url, REDIS_URL: 'localhost:6379' });
    const [code] = await worker.exit;
    expect(code).toBe(1);
    const stderr = worker.stderr.join('');
    expect(stderr).toContain('REDIS_URL: must be a redis:// or rediss:// URL (got "localhost:6379")');
    expect(stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
  });

  it('should refuse at start a VISAGE_DEVICE this machine does not have', async () => {
    // mps never exists on Linux; cuda never on macOS.
    const absent = process.platform === 'darwin' ? 'cuda' : 'mps';
    const worker = spawnWorker({ DATABASE_URL: database.url, REDIS_URL: redisUrl, VISAGE_DEVICE: absent });
    const [code] = await worker.exit;
    expect(code).toBe(1);
    const fatal = worker.stdout
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(
      new RegExp(`^VISAGE_DEVICE=${absent} is not available here: .*\\. Available: .*cpu\\.$`),
    );
  });

  it('should exit 1 with a clear message when Redis is unreachable', async () => {
    const id = `test-noredis-${randomBytes(3).toString('hex')}`;
    const worker = spawnWorker({
      DATABASE_URL: database.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      VISAGE_WORKER_ID: id,
    });
    const [code] = await worker.exit;
    expect(code).toBe(1);
    const fatal = worker.stdout
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/^Cannot reach Redis at 127\.0\.0\.1:1 .*set REDIS_URL/);
    // It closed the database connection it had already opened.
    expect(await pgConnections(connectionName(id))).toBe(0);
  });

  it('should exit 1 with a clear message when PostgreSQL is unreachable', async () => {
    const worker = spawnWorker({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/visage',
      REDIS_URL: redisUrl,
    });
    const [code] = await worker.exit;
    expect(code).toBe(1);
    const fatal = worker.stdout
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 60);
    expect(fatal?.msg).toBe(
      'Cannot reach PostgreSQL at 127.0.0.1:1/visage (connect ECONNREFUSED 127.0.0.1:1). Start it (npm start does) or set DATABASE_URL.',
    );
  });
});
