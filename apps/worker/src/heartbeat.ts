import { WORKER_TTL_SECONDS, type WorkerPresence, workerKey } from '@visage/db/jobs';
import type { Redis } from 'ioredis';

/**
 * Announces this worker in Redis under a key that expires unless refreshed, so the web app can
 * show which workers are alive; a crashed worker disappears within WORKER_TTL_SECONDS. `alongside`
 * refreshes the worker's other expiring keys (its model state) at the same beat.
 */
export async function startHeartbeat(
  redis: Redis,
  prefix: string,
  /** Called at every beat, so what it reports (loaded models) stays current. */
  presence: () => WorkerPresence,
  onRefreshError: (error: Error) => void,
  alongside: () => Promise<void> = async () => undefined,
) {
  const key = workerKey(prefix, presence().id);
  const beat = () => redis.set(key, JSON.stringify(presence()), 'EX', WORKER_TTL_SECONDS);
  await beat();
  // A failed refresh is reported and retried on the next tick; ioredis reconnects meanwhile.
  const timer = setInterval(
    () => {
      beat().catch(onRefreshError);
      alongside().catch(onRefreshError);
    },
    (WORKER_TTL_SECONDS * 1000) / 3,
  );
  timer.unref();
  return {
    /** Publishes the presence now (a live slot was taken or freed), not at the next beat. */
    beatNow(): Promise<unknown> {
      return beat();
    },
    async stop() {
      clearInterval(timer);
      await redis.del(key);
    },
  };
}
