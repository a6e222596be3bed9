// One BullMQ Worker per queue, each queue with exactly one handler. The worker refuses to start when
// an enabled plugin's queue has no handler or two handlers claim one queue (docs/architecture.md §8.2).
import { PLUGIN_WORKER_OPTIONS, type PluginJobData, pluginQueueName } from '@visage/db/jobs';
import { discardStagedOutputs } from '@visage/db/media';
import type { Plugin } from '@visage/plugins';
import { DelayedError, type Job as QueueJob, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { type JobOutcome, type ProcessorDeps, processJob } from './processor.ts';

export interface QueueSettings {
  concurrency: number;
  /** How long a job's lock lives without renewal; a crashed worker's job is retried after it. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** Re-runs after a crash before BullMQ fails the job (default PLUGIN_WORKER_OPTIONS'). */
  maxStalledCount?: number;
}

/** What consumes one queue. */
export interface QueueHandler {
  queue: string;
  /** Who it is, for messages: `plugin "faceswap"`. */
  owner: string;
  process(job: QueueJob<PluginJobData>, token: string | undefined): Promise<JobOutcome>;
  /** BullMQ failed a job without `process` recording it (it stalled too often, §8.9). */
  failedByQueue(job: QueueJob<PluginJobData>, error: Error): Promise<void>;
}

/** Thrown at start when the handlers do not cover the enabled plugins one to one. */
export class HandlerTableError extends Error {
  override name = 'HandlerTableError';
}

/** A handler per plugin: runs its jobs, and records a failure BullMQ decided on its own. */
export function pluginHandlers(deps: ProcessorDeps, plugins: readonly Plugin[]): QueueHandler[] {
  return plugins.map((plugin) => ({
    queue: pluginQueueName(plugin.id),
    owner: `plugin "${plugin.id}"`,
    process: (job, token) => processJob(deps, plugin, job, token),
    async failedByQueue(job, error) {
      // Refused when the processor already recorded an outcome: then there is nothing to add.
      const failed = await deps.jobs.failFromQueue(job.data.jobId, error.message);
      // No run of it will commit now: remove what its crashed attempts staged.
      if (failed.ok) await discardStagedOutputs(deps.db, deps.media, job.data.jobId);
    },
  }));
}

/**
 * The handler of each queue; throws naming every enabled plugin whose queue has no handler and
 * every queue that more than one handler claims.
 */
export function assignHandlers(
  pluginIds: readonly string[],
  handlers: readonly QueueHandler[],
): Map<string, QueueHandler> {
  const byQueue = new Map<string, QueueHandler[]>();
  for (const handler of handlers)
    byQueue.set(handler.queue, [...(byQueue.get(handler.queue) ?? []), handler]);
  const problems: string[] = [];
  for (const id of new Set(pluginIds)) {
    const queue = pluginQueueName(id);
    if (!byQueue.has(queue)) problems.push(`plugin "${id}" has no handler for its queue "${queue}"`);
  }
  for (const [queue, claimants] of byQueue) {
    if (claimants.length > 1)
      problems.push(
        `queue "${queue}" is claimed by ${claimants.length} handlers (${claimants.map((h) => h.owner).join(', ')})`,
      );
  }
  if (problems.length) throw new HandlerTableError(`The worker cannot start: ${problems.join('; ')}.`);
  return new Map([...byQueue].map(([queue, [handler]]) => [queue, handler as QueueHandler]));
}

export function startJobWorkers(
  log: Logger,
  redis: { connection: Redis; prefix: string },
  handlers: ReadonlyMap<string, QueueHandler>,
  settings: QueueSettings,
) {
  const workers = [...handlers].map(([queue, handler]) => {
    const worker = new Worker<PluginJobData, JobOutcome>(queue, (job, token) => handler.process(job, token), {
      connection: redis.connection,
      prefix: redis.prefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      ...PLUGIN_WORKER_OPTIONS,
      ...(settings.maxStalledCount === undefined ? {} : { maxStalledCount: settings.maxStalledCount }),
    });
    worker.on('failed', (job, error) => {
      if (!job || error instanceof DelayedError) return;
      handler
        .failedByQueue(job, error)
        .catch((dbError: unknown) =>
          log.error(
            { err: dbError, jobId: job.data.jobId, cause: error.message },
            'could not record a job failure',
          ),
        );
    });
    worker.on('error', (error) => log.error({ err: error, queue }, 'queue worker error'));
    return worker;
  });

  return {
    queues: [...handlers.keys()],
    /** Stops taking jobs and waits for the running ones to finish. */
    close: () => Promise.all(workers.map((w) => w.close())).then(() => undefined),
  };
}
