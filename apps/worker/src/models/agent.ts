// The worker's side of model management (docs/architecture.md §7.4): it takes the web app's model
// commands addressed to it, runs them against its own models folder, answers each, publishes pull
// progress, and keeps its model state in Redis (refreshed with the heartbeat and after each change).
import {
  deleteWorkerModelState,
  type ModelCommandEnvelope,
  type ModelEvent,
  modelCommandsChannel,
  parseModelCommand,
  publishModelEvent,
  writeWorkerModelState,
} from '@visage/db/models';
import type { downloadModel, ModelStore } from '@visage/inference/models';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import { errorCode, executeModelCommand } from './commands.ts';
import { ModelPulls } from './pulls.ts';
import { readModelState, type WorkerIdentity } from './state.ts';

export interface ModelAgentOptions extends WorkerIdentity {
  /** For publishing and the state key. */
  redis: Redis;
  /** A connection in subscriber mode (shared with the job cancel listener; closed by its owner). */
  subscriber: Redis;
  prefix: string;
  store: ModelStore;
  log: Logger;
  /** Stand-in downloader, for tests. */
  download?: typeof downloadModel;
}

export interface ModelAgent {
  /** Re-reads the models folder and publishes this worker's model state. */
  refresh(): Promise<void>;
  /** Takes no more commands, cancels running pulls (their .part stays), waits for the rest, removes the state. */
  stop(): Promise<void>;
}

export async function startModelAgent(options: ModelAgentOptions): Promise<ModelAgent> {
  const { redis, subscriber, prefix, store, log, workerId } = options;
  const identity: WorkerIdentity = { workerId, host: options.host, plugins: options.plugins };
  const channel = modelCommandsChannel(prefix);
  const inFlight = new Set<Promise<void>>();
  let closing = false; // stop() was called: commands still arriving are refused
  let stopped = false; // the state key is gone for good

  const publish = (event: ModelEvent) => publishModelEvent(redis, prefix, event);

  // One state write at a time, in order; calls made while one runs share the next write.
  let chain: Promise<void> = Promise.resolve();
  let queued: Promise<void> | null = null;
  const refresh = (): Promise<void> => {
    if (!queued) {
      const run = async () => {
        queued = null;
        if (stopped) return;
        await writeWorkerModelState(redis, prefix, await readModelState(store, pulls, identity));
      };
      // A failed write was reported to its callers; the next one runs regardless.
      queued = chain.then(run, run);
      chain = queued;
    }
    return queued;
  };
  const refreshAfterChange = () =>
    refresh().catch((error: unknown) =>
      log.warn({ err: error }, 'could not publish the model state; the next heartbeat retries'),
    );

  const pulls = new ModelPulls(
    store,
    {
      onProgress: (progress) => {
        if (progress.state !== 'running') {
          log.info(
            { modelId: progress.id, state: progress.state, bytes: progress.received },
            'model pull ended',
          );
        }
        publish({ type: 'progress', workerId, progress }).catch((error: unknown) =>
          log.warn({ err: error, modelId: progress.id }, 'could not publish model pull progress'),
        );
      },
      onSettled: refreshAfterChange,
      onError: (error, modelId) => log.error({ err: error, modelId }, 'model pull failed'),
    },
    options.download,
  );

  async function answer({ requestId, command }: ModelCommandEnvelope): Promise<void> {
    await publish({ type: 'ack', requestId, workerId });
    let result: Extract<ModelEvent, { type: 'reply' }>['result'];
    if (closing) {
      result = { ok: false, code: 'INTERNAL', message: `Worker ${workerId} is shutting down` };
    } else {
      try {
        const value = await executeModelCommand(command, { store, pulls, refresh: refreshAfterChange });
        result = { ok: true, value };
        if (command.kind === 'pull') log.info({ modelId: command.id }, 'model pull started');
      } catch (error) {
        const code = errorCode(error);
        if (code === 'INTERNAL') log.error({ err: error, command }, `model command "${command.kind}" failed`);
        result = { ok: false, code, message: (error as Error).message };
      }
    }
    await publish({ type: 'reply', requestId, workerId, result });
  }

  const onMessage = (from: string, message: string) => {
    if (from !== channel) return;
    let envelope: ModelCommandEnvelope;
    try {
      envelope = parseModelCommand(message);
    } catch (error) {
      log.error({ err: error, message: message.slice(0, 200) }, 'unreadable model command; ignored');
      return;
    }
    if (envelope.workerId !== null && envelope.workerId !== workerId) return;
    const task = answer(envelope)
      .catch((error: unknown) =>
        log.error({ err: error, requestId: envelope.requestId }, 'could not answer a model command'),
      )
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  };
  subscriber.on('message', onMessage);
  await subscriber.subscribe(channel);
  await refresh();

  return {
    refresh,
    async stop() {
      closing = true;
      await subscriber.unsubscribe(channel);
      subscriber.off('message', onMessage);
      await Promise.all(inFlight); // imports and verifies finish; a pull command may have started one
      await pulls.cancelAll();
      stopped = true;
      // A write still under way must land before the key is deleted (its failure went to its caller).
      await Promise.allSettled([chain]);
      await deleteWorkerModelState(redis, prefix, workerId);
    },
  };
}
