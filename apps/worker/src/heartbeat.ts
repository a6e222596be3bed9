import type { Redis } from 'ioredis';

export interface WorkerPresence {
  id: string;
  host: string;
  pid: number;
  device: string;
  accelerator: string;
  startedAt: string;
}

const TTL_SECONDS = 30;

export const workerKey = (prefix: string, id: string) => `${prefix}:workers:${id}`;

/**
 * Announces this worker in Redis under a key that expires unless refreshed, so the web app can
 * show which workers are alive; a crashed worker disappears within TTL_SECONDS.
 */
export async function startHeartbeat(
  redis: Redis,
  prefix: string,
  presence: WorkerPresence,
  onRefreshError: (error: Error) => void,
) {
  const key = workerKey(prefix, presence.id);
  const beat = () => redis.set(key, JSON.stringify(presence), 'EX', TTL_SECONDS);
  await beat();
  // A failed refresh is reported and retried on the next tick; ioredis reconnects meanwhile.
  const timer = setInterval(() => beat().catch(onRefreshError), (TTL_SECONDS * 1000) / 3);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.del(key);
    },
  };
}
