// Live workers announce themselves in Redis under keys that expire unless refreshed (the worker's
// heartbeat); the web app lists them for the health check and the system status.
import type { Redis } from 'ioredis';

/** A worker's live endpoint (docs/live.md §3). */
export interface LivePresence {
  /** Where the web server forwards sockets: ws://host:port. */
  url: string;
  slots: number;
  active: number;
  plugins: string[];
}

export interface WorkerPresence {
  id: string;
  host: string;
  pid: number;
  /** One-line device summary, e.g. "cuda — NVIDIA H200 (140.4 GiB); …". */
  device: string;
  accelerator: string;
  startedAt: string;
  /** Where models run and what is loaded, refreshed with every heartbeat. */
  models?: {
    providers: string[];
    precision: string;
    budgetBytes: number;
    budgetReason: string;
    residentBytes: number;
    resident: { id: string; bytes: number; provider: string; pins: number }[];
    hits: number;
    misses: number;
    evictions: number;
  };
  /** The worker's live endpoint and slots (absent when it serves no live sessions). */
  live?: LivePresence;
}

export const workerKey = (prefix: string, id: string) => `${prefix}:workers:${id}`;

/** How long a worker's keys (presence, model state) outlive its last refresh: a crashed worker is gone by then. */
export const WORKER_TTL_SECONDS = 30;

/** Every worker whose heartbeat has not expired. */
export async function listWorkers(redis: Redis, prefix: string): Promise<WorkerPresence[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', workerKey(prefix, '*'), 'COUNT', 100);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  // A key can expire between SCAN and MGET.
  return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerPresence);
}
