// Abort controllers of the jobs this process is running, and the Redis subscription through which
// the API asks for one to be cancelled (the request may arrive at any worker; only the holder acts).
import { jobCancelChannel } from '@visage/db/jobs';
import type { Redis } from 'ioredis';

/** Why a job's signal was aborted. */
export class CancelledByUser extends Error {
  override name = 'CancelledByUser';
  constructor() {
    super('Cancelled by its owner');
  }
}
export class WorkerShutdown extends Error {
  override name = 'WorkerShutdown';
  constructor() {
    super('The worker is shutting down');
  }
}

export interface Cancellation {
  register(jobId: string): AbortController;
  unregister(jobId: string): void;
  /** Aborts every running job (shutdown deadline passed). */
  abortAll(reason: Error): void;
  running(): number;
  close(): Promise<void>;
}

export async function listenForCancels(subscriber: Redis, prefix: string): Promise<Cancellation> {
  const controllers = new Map<string, AbortController>();
  const channel = jobCancelChannel(prefix);
  subscriber.on('message', (from: string, jobId: string) => {
    if (from === channel) controllers.get(jobId)?.abort(new CancelledByUser());
  });
  await subscriber.subscribe(channel);
  return {
    register(jobId) {
      const controller = new AbortController();
      controllers.set(jobId, controller);
      return controller;
    },
    unregister: (jobId) => controllers.delete(jobId),
    abortAll(reason) {
      for (const controller of controllers.values()) controller.abort(reason);
    },
    running: () => controllers.size,
    async close() {
      await subscriber.quit();
    },
  };
}
