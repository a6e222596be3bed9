// The studio's requests for the faces of a face swap's target (face mapping, docs/architecture.md
// §8.2): the web process runs no models, so it adds a request to the faces queue and waits for a
// worker's answer. Queue name, payload and answer come from the job catalogue (@visage/db/jobs).
import { TRPCError } from '@trpc/server';
import { createRedis } from '@visage/db';
import {
  TARGET_FACES_PLUGIN,
  TARGET_FACES_QUEUE,
  TARGET_FACES_QUEUE_OPTIONS,
  type TargetFacesAnswer,
  type TargetFacesRequest,
  type TargetFacesResult,
  targetFacesQueueJob,
} from '@visage/db/jobs';
import { listWorkerModelStates } from '@visage/db/models';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';

export const NO_FACES_WORKER_MESSAGE =
  'No worker is running to find the faces; start one (npm start, or pnpm --filter @visage/worker start ' +
  'on the GPU host) and try again.';

/** How long the web process waits for a worker's answer (a first request may load the detector). */
export const DEFAULT_TARGET_FACES_TIMEOUT_MS = 60_000;

export interface TargetFacesRequests {
  /** The faces a worker finds on the asset (or its frame); TRPCErrors with the reason otherwise. */
  find(request: TargetFacesRequest): Promise<TargetFacesResult>;
  close(): Promise<void>;
}

export interface TargetFacesConfig {
  /** The API's shared connection (adds jobs, reads worker states). */
  connection: Redis;
  /** For the blocking connection that reads the queue's events. */
  redisUrl: string;
  prefix: string;
  connectionName: string;
  timeoutMs?: number;
  onError(error: Error): void;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export function createTargetFacesRequests(config: TargetFacesConfig): TargetFacesRequests {
  const { connection, prefix } = config;
  const timeoutMs = config.timeoutMs ?? DEFAULT_TARGET_FACES_TIMEOUT_MS;
  const queue = new Queue<TargetFacesRequest, TargetFacesAnswer>(TARGET_FACES_QUEUE, {
    connection,
    prefix,
    ...TARGET_FACES_QUEUE_OPTIONS,
  });
  queue.on('error', config.onError);
  // The events reader blocks its connection: its own, opened on the first request.
  let events: { reader: QueueEvents; redis: Redis } | null = null;
  const eventsReader = async () => {
    if (!events) {
      const redis = createRedis(config.redisUrl, `${config.connectionName}:faces`);
      redis.on('error', config.onError);
      const reader = new QueueEvents(TARGET_FACES_QUEUE, { connection: redis, prefix });
      reader.on('error', config.onError);
      events = { reader, redis };
    }
    await events.reader.waitUntilReady();
    return events.reader;
  };

  return {
    async find(request) {
      const states = await listWorkerModelStates(connection, prefix);
      if (!states.some((s) => s.plugins.includes(TARGET_FACES_PLUGIN)))
        throw new TRPCError({ code: 'PRECONDITION_FAILED', message: NO_FACES_WORKER_MESSAGE });
      const reader = await eventsReader();
      const { name, data, opts } = targetFacesQueueJob(request);
      const job = await queue.add(name, data, opts);
      let answer: TargetFacesAnswer;
      try {
        answer = await job.waitUntilFinished(reader, timeoutMs);
      } catch (error) {
        const state = await job.getState();
        if (state === 'failed') {
          throw new TRPCError({
            code: 'INTERNAL_SERVER_ERROR',
            message: `Finding the faces failed: ${(error as Error).message}`,
            cause: error,
          });
        }
        // Still waiting (no worker took it) or running past the deadline: nobody wants it now.
        // (A worker may take it meanwhile: then removing fails, and its answer expires unread.)
        if (state === 'waiting' || state === 'prioritized' || state === 'delayed')
          await job.remove().catch((removeError: Error) => config.onError(removeError));
        throw new TRPCError({
          code: 'TIMEOUT',
          message:
            state === 'active'
              ? `Finding the faces took longer than ${seconds(timeoutMs)}; try again (the worker may be busy)`
              : `No worker took the request to find the faces within ${seconds(timeoutMs)}; check that a worker with face swap is running`,
          cause: error,
        });
      }
      if (!answer.ok) throw new TRPCError({ code: 'BAD_REQUEST', message: answer.message });
      return answer.result;
    },
    async close() {
      await queue.close();
      if (events) {
        await events.reader.close();
        await events.redis.quit();
      }
    },
  };
}
