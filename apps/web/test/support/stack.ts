// The whole Visage stack for end-to-end and browser tests: its own database, Redis prefix and media folder,
// next dev and a worker with the built-in test plugin.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, deleteRedisKeys, type TestDatabase, testRedisPrefix } from '@visage/db/testing';
import { Redis } from 'ioredis';
import {
  type NextServer,
  redisUrl,
  startNext,
  startWorkerProcess,
  stopNext,
  type WorkerProcess,
  waitForLog,
  waitUntilReady,
} from './processes.ts';

export interface TestEnv {
  /** DATABASE_URL, REDIS_PREFIX, VISAGE_MEDIA_DIR, VISAGE_MODELS_DIR… for next and the worker. */
  env: Record<string, string>;
  mediaDir: string;
  /** Drops the database, the Redis keys and the media and models folders. */
  drop(): Promise<void>;
}

/** A database, a Redis key prefix and media/models folders of their own, for one test file. */
export async function createTestEnv(label: string, extraEnv: Record<string, string> = {}): Promise<TestEnv> {
  const prefix = testRedisPrefix();
  const database: TestDatabase = await createTestDatabase({ label });
  const mediaDir = await mkdtemp(path.join(os.tmpdir(), `visage-${label}-media-`));
  return {
    env: {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      VISAGE_MEDIA_DIR: mediaDir,
      VISAGE_MODELS_DIR: `${mediaDir}-models`,
      VISAGE_ENABLE_TEST_PLUGIN: '1',
      // Each worker's live endpoint on a free port of its own (several stacks run at once).
      VISAGE_LIVE_PORT: '0',
      ...extraEnv,
    },
    mediaDir,
    async drop() {
      const redis = new Redis(redisUrl);
      await deleteRedisKeys(redis, prefix);
      await redis.quit();
      await database.drop();
      await rm(mediaDir, { recursive: true, force: true });
      await rm(`${mediaDir}-models`, { recursive: true, force: true });
    },
  };
}

/** Kills a worker process (if still running) and waits for it to exit. */
export async function killWorker(worker: WorkerProcess | undefined): Promise<void> {
  if (worker?.child.exitCode === null) {
    worker.child.kill('SIGKILL');
    await worker.exit;
  }
}

export interface Stack {
  base: string;
  stop(): Promise<void>;
}

/** `extraEnv` goes to both next and the worker, e.g. VISAGE_MODEL_CATALOG pointing at test mirrors. */
export async function startStack(label: string, extraEnv: Record<string, string> = {}): Promise<Stack> {
  const { env, drop } = await createTestEnv(label, extraEnv);
  let server: NextServer | undefined;
  let worker: WorkerProcess | undefined;
  const stop = async () => {
    await killWorker(worker);
    await stopNext(server);
    await drop();
  };
  try {
    server = await startNext(env);
    worker = startWorkerProcess(env);
    await Promise.all([waitUntilReady(server), waitForLog(worker, 'worker ready')]);
    return { base: server.base, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
