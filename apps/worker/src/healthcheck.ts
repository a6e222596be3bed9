// Container health check (Dockerfile HEALTHCHECK): healthy while a worker on this host keeps its
// Redis heartbeat fresh. Exits 0 when healthy, 1 otherwise.
import os from 'node:os';
import { connectRedis } from '@visage/db';
import { loadConfig } from './config.ts';
import type { WorkerPresence } from './heartbeat.ts';

const config = loadConfig();
const redis = await connectRedis(config.REDIS_URL, 'visage-worker-healthcheck');
try {
  const keys = await redis.keys(`${config.REDIS_PREFIX}:workers:*`);
  const values = keys.length ? await redis.mget(...keys) : [];
  const mine = values.some((v) => v !== null && (JSON.parse(v) as WorkerPresence).host === os.hostname());
  if (!mine) console.error(`no live worker heartbeat from host ${os.hostname()}`);
  process.exitCode = mine ? 0 : 1;
} finally {
  await redis.quit();
}
