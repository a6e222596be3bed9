// What each worker's models folder holds, published by the worker under a key that expires with it
// (refreshed with its heartbeat and right after every change), read by the web app's models page.
import type { Redis } from 'ioredis';
import { WORKER_TTL_SECONDS } from '../jobs/workers.ts';
import type { PullProgress } from './protocol.ts';

export interface WorkerModelVariant {
  precision: string;
  state: 'installed' | 'missing' | 'corrupt';
  /** Why the file is damaged, e.g. "size 10 B, expected 20 B". */
  reason: string | null;
  /** An unfinished download that pulling again resumes (0 when none). */
  partBytes: number;
}

/** A catalog entry as one worker knows it, with the state of its files there. */
export interface WorkerModel {
  id: string;
  title: string;
  plugin: string;
  bytes: number | null;
  licence: { name: string; commercialUse: boolean; url: string };
  availability: 'download' | 'export-required' | 'bundled';
  note: string | null;
  /** True when at least one variant is installed intact. */
  installed: boolean;
  variants: WorkerModelVariant[];
  /** The running pull, or the last one until the next starts. */
  pull: PullProgress | null;
}

export interface WorkerModelState {
  workerId: string;
  host: string;
  /** Plugins whose queues the worker serves. */
  plugins: string[];
  /** Its VISAGE_MODELS_DIR, on its host. */
  modelsDir: string;
  /** Milliseconds since the epoch. */
  updatedAt: number;
  models: WorkerModel[];
}

export const workerModelsKey = (prefix: string, workerId: string) => `${prefix}:models:workers:${workerId}`;

export async function writeWorkerModelState(redis: Redis, prefix: string, state: WorkerModelState) {
  await redis.set(workerModelsKey(prefix, state.workerId), JSON.stringify(state), 'EX', WORKER_TTL_SECONDS);
}

export async function deleteWorkerModelState(redis: Redis, prefix: string, workerId: string) {
  await redis.del(workerModelsKey(prefix, workerId));
}

/** The model state of every live worker, ordered by worker id. */
export async function listWorkerModelStates(redis: Redis, prefix: string): Promise<WorkerModelState[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', workerModelsKey(prefix, '*'), 'COUNT', 100);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  // A key can expire between SCAN and MGET.
  return values
    .filter((v): v is string => v !== null)
    .map((v) => JSON.parse(v) as WorkerModelState)
    .sort((a, b) => a.workerId.localeCompare(b.workerId));
}
