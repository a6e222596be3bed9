// Boot and shutdown of one worker process. Job processing (BullMQ queues per plugin) plugs in here.
import os from 'node:os';
import { assertDbReachable, connectRedis, createDb, type Db, pingDb } from '@visage/db';
import { describeDevice, detectDevice } from '@visage/device';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from './config.ts';
import { startHeartbeat } from './heartbeat.ts';
import type { Logger } from './logger.ts';

export interface RunningWorker {
  id: string;
  /** Stops taking work, releases resources and closes every connection. */
  stop(): Promise<void>;
}

/** Name used for this worker's PostgreSQL and Redis connections (visible to operators and tests). */
export const connectionName = (id: string) => `visage-worker:${id}`;

export async function startWorker(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const id = config.VISAGE_WORKER_ID;
  const device = await detectDevice();
  log.info(`device: ${describeDevice(device)}`);
  log.debug({ device }, 'device details');
  for (const problem of device.problems) log.warn(problem);

  const opened: { db?: Db; redis?: Redis } = {};
  const closeConnections = async () => {
    await Promise.all([opened.redis?.quit(), opened.db?.$disconnect()]);
  };
  try {
    await assertDbReachable(config.DATABASE_URL);
    opened.db = createDb({
      url: config.DATABASE_URL,
      applicationName: connectionName(id),
      maxConnections: 4,
    });
    await pingDb(opened.db);
    opened.redis = await connectRedis(config.REDIS_URL, connectionName(id));
    const redis = opened.redis;
    redis.on('error', (error) => log.warn({ err: error }, 'redis connection error (reconnecting)'));

    const heartbeat = await startHeartbeat(
      redis,
      config.REDIS_PREFIX,
      {
        id,
        host: os.hostname(),
        pid: process.pid,
        device: describeDevice(device),
        accelerator: device.accelerator,
        startedAt: new Date().toISOString(),
      },
      (error) => log.warn({ err: error }, 'worker heartbeat refresh failed; retrying'),
    );
    log.info({ workerId: id, modelsDir: config.VISAGE_MODELS_DIR }, 'worker ready');

    return {
      id,
      async stop() {
        await heartbeat.stop();
        await closeConnections();
      },
    };
  } catch (error) {
    await closeConnections();
    throw error;
  }
}
