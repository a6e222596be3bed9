// One BullMQ Worker per plugin queue. Fails at start on a plugin listed twice.
import { jobQueueName } from '@visage/db/jobs';
import type { Plugin } from '@visage/plugins';
import { DelayedError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type ProcessorDeps, processJob, recordQueueFailure } from './processor.ts';

export interface QueueSettings {
  concurrency: number;
  /** How long a job's lock lives without renewal; a crashed worker's job is retried after it. */
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export function startJobWorkers(
  deps: ProcessorDeps,
  connection: Redis,
  plugins: Plugin[],
  settings: QueueSettings,
) {
  const ids = plugins.map((p) => p.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`Plugin "${duplicate}" is registered twice`);

  const workers = plugins.map((plugin) => {
    const worker = new Worker<{ jobId: string }>(
      jobQueueName(plugin.id),
      (job, token) => processJob(deps, plugin, job, token),
      {
        connection,
        prefix: deps.redisPrefix,
        concurrency: settings.concurrency,
        lockDuration: settings.lockDurationMs,
        stalledInterval: settings.stalledIntervalMs,
        maxStalledCount: 1,
      },
    );
    worker.on('failed', (job, error) => {
      if (!job || error instanceof DelayedError) return;
      recordQueueFailure(deps.db, deps, job.data.jobId, error.message).catch((dbError: unknown) =>
        deps.log.error(
          { err: dbError, jobId: job.data.jobId, cause: error.message },
          'could not record a job failure',
        ),
      );
    });
    worker.on('error', (error) => deps.log.error({ err: error, plugin: plugin.id }, 'queue worker error'));
    return worker;
  });

  return {
    queues: plugins.map((p) => jobQueueName(p.id)),
    /** Stops taking jobs and waits for the running ones to finish. */
    close: () => Promise.all(workers.map((w) => w.close())).then(() => undefined),
  };
}
