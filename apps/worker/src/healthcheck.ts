// Container health check (Dockerfile HEALTHCHECK): healthy while a worker on this host keeps its
// Redis heartbeat fresh. Exits 0 when healthy, 1 otherwise.
import os from 'node:os';
import { connectRedis } from '@visage/db';
import { listWorkers } from '@visage/db/jobs';
import { loadConfig } from './config.ts';

const config = loadConfig();
const redis = await connectRedis(config.REDIS_URL, 'visage-worker-healthcheck');
try {
  const mine = (await listWorkers(redis, config.REDIS_PREFIX)).some((w) => w.host === os.hostname());
  if (!mine) console.error(`no live worker heartbeat from host ${os.hostname()}`);
  process.exitCode = mine ? 0 : 1;
} finally {
  await redis.quit();
}
