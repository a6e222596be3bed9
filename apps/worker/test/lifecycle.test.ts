// Starts the real worker process against the real PostgreSQL and Redis, then stops it with a signal.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { createDb, type Db } from '@visage/db';
import { workerKey } from '@visage/db/jobs';
import { workerModelsKey } from '@visage/db/models';
import { createTestDatabase, deleteRedisKeys, type TestDatabase, testRedisPrefix } from '@visage/db/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectionName } from '../src/worker.ts';

const workerDir = path.resolve(import.meta.dirname, '..');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testRedisPrefix();
/**
 * How long a worker may take to start. Alone it takes ~3 s, but under the full suite a 2-core machine
 * runs ~8 test processes at once and a start took over 20 s there; the wait ends as soon as it is up.
 */
const START_TIMEOUT_MS = 60_000;

interface Started {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /** Settles once the process has exited and its output has been read to the end. */
  exit: Promise<[number | null, NodeJS.Signals | null]>;
  closed: boolean;
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
    exit: once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>,
    closed: false,
  };
  child.on('close', () => {
    started.closed = true;
  });
  // A chunk can end mid-line: keep the unfinished part for the next one.
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    started.stdout.push(...lines.filter(Boolean));
  });
  child.stderr?.on('data', (chunk: Buffer) => started.stderr.push(chunk.toString()));
  spawned.push(started);
  return started;
}

const logLines = (started: Started) => started.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);

/** The first line logged with `msg`; fails once the process has ended without it, or after the start timeout. */
async function waitForLog(started: Started, msg: string): Promise<Record<string, unknown>> {
  const line = await vi.waitFor(
    () => {
      const found = logLines(started).find((l) => l.msg === msg);
      if (found || started.closed) return found ?? null;
      throw new Error(`waiting for "${msg}"`);
    },
    { timeout: START_TIMEOUT_MS, interval: 50 },
  );
  if (line) return line;
  throw new Error(
    `worker ended without logging "${msg}". stdout:\n${started.stdout.join('\n')}\nstderr:\n${started.stderr.join('')}`,
  );
}

/** The message of the fatal line a worker that refused to start logged. */
const fatalMessage = (started: Started) => logLines(started).find((l) => l.level === 60)?.msg;

// Every test spawns a worker, which may take up to the start timeout under load.
describe('worker process', { timeout: START_TIMEOUT_MS + 30_000 }, () => {
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
      // Its models folder as the web app's models page sees it, expiring with it.
      const models = JSON.parse((await redis.get(workerModelsKey(prefix, id))) ?? 'null');
      expect(models).toMatchObject({ workerId: id, plugins: expect.arrayContaining(['test']) });
      expect(models.models.length).toBeGreaterThan(0);

      worker.child.kill(signal);
      const [code] = await worker.exit;
      expect(code).toBe(0);
      await waitForLog(worker, 'worker stopped');
      expect(await pgConnections(connectionName(id))).toBe(0);
      expect(await redisConnections(connectionName(id))).toBe(0);
      expect(await redisConnections(`${prefix}:`)).toBe(0);
      expect(await redis.exists(workerKey(prefix, id))).toBe(0);
      expect(await redis.exists(workerModelsKey(prefix, id))).toBe(0);
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
    expect(fatalMessage(worker)).toMatch(
      new RegExp(`^VISAGE_DEVICE=${absent} is not available here: .*\\. Available: .*cpu\\.$`),
    );
  });

  it('should refuse to start when two handlers claim one queue, naming it', async () => {
    const id = `test-twice-${randomBytes(3).toString('hex')}`;
    const worker = spawnWorker({
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      VISAGE_WORKER_ID: id,
      VISAGE_ENABLE_TEST_PLUGIN: '1',
      VISAGE_PLUGINS: 'test,test',
    });
    const [code] = await worker.exit;
    expect(code).toBe(1);
    expect(fatalMessage(worker)).toBe(
      'The worker cannot start: queue "jobs-test" is claimed by 2 handlers (plugin "test", plugin "test").',
    );
    // It closed the connections it had already opened.
    expect(await pgConnections(connectionName(id))).toBe(0);
    expect(await redisConnections(connectionName(id))).toBe(0);
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
    expect(fatalMessage(worker)).toMatch(/^Cannot reach Redis at 127\.0\.0\.1:1 .*set REDIS_URL/);
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
    expect(fatalMessage(worker)).toBe(
      'Cannot reach PostgreSQL at 127.0.0.1:1/visage (connect ECONNREFUSED 127.0.0.1:1). Start it (npm start does) or set DATABASE_URL.',
    );
  });
});
