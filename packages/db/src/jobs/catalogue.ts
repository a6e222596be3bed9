// What goes on the BullMQ queues: queue names and payload types, shared by the producer (api) and the
// consumer (worker) so neither spells a name or a payload on its own (docs/architecture.md §8.2).

/** BullMQ queue of a plugin; one per plugin so a GPU box can serve only some of them. */
export type PluginQueueName = `jobs-${string}`;

export const pluginQueueName = (plugin: string): PluginQueueName => `jobs-${plugin}`;

/** A plugin job's payload: the id of its row, which holds everything else (docs/architecture.md §8.1). */
export interface PluginJobData {
  jobId: string;
}

/** The BullMQ job that runs one job row: its name, payload and options (`Queue.add(name, data, opts)`). */
export function pluginQueueJob(plugin: string, jobId: string) {
  return {
    name: plugin,
    data: { jobId } satisfies PluginJobData,
    opts: {
      // The BullMQ job id is the database id, so cancel and the worker find it by that id. No
      // `attempts`: BullMQ runs a job once; recovery after a crash is the stall check (§8.9).
      jobId,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  };
}

/**
 * Consumer options every plugin queue's Worker uses: a job whose worker crashed is run again once,
 * a second stall fails it (docs/architecture.md §8.9).
 */
export const PLUGIN_WORKER_OPTIONS = { maxStalledCount: 1 } as const;
