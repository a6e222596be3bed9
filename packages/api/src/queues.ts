// One BullMQ queue per plugin; the API only adds and removes jobs (the worker processes them). Names,
// payload and options come from the job catalogue (@visage/db/jobs), shared with the worker.
import { type PluginJobData, pluginQueueJob, pluginQueueName } from '@visage/db/jobs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

export interface JobQueues {
  enqueue(plugin: string, jobId: string): Promise<void>;
  /** Removes a job that no worker has taken yet; false when it is running (or gone). */
  removeWaiting(plugin: string, jobId: string): Promise<boolean>;
  counts(): Promise<Record<string, Record<string, number>>>;
  close(): Promise<void>;
}

export function createJobQueues(connection: Redis, prefix: string, plugins: readonly string[]): JobQueues {
  const queues = new Map(
    plugins.map((plugin) => [
      plugin,
      new Queue<PluginJobData>(pluginQueueName(plugin), { connection, prefix }),
    ]),
  );
  const queueOf = (plugin: string) => {
    const queue = queues.get(plugin);
    if (!queue) throw new Error(`No queue for plugin "${plugin}" (enabled: ${plugins.join(', ')})`);
    return queue;
  };
  return {
    async enqueue(plugin, jobId) {
      const { name, data, opts } = pluginQueueJob(plugin, jobId);
      await queueOf(plugin).add(name, data, opts);
    },
    async removeWaiting(plugin, jobId) {
      const job = await queueOf(plugin).getJob(jobId);
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
      await job.remove();
      return true;
    },
    async counts() {
      const entries = await Promise.all(
        [...queues].map(
          async ([plugin, queue]) =>
            [
              plugin,
              await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
            ] as const,
        ),
      );
      return Object.fromEntries(entries);
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
