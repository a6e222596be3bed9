// Live sessions in Redis, so every web process and worker sees the same picture (docs/live.md §3):
// spent tickets (a ticket opens one socket), the sessions each user has open (the per-user limit),
// and each user's current session (what the output view shows). Keys expire unless the worker
// refreshes them, so a crashed worker's sessions free their user's slots by themselves.
import type { Redis } from 'ioredis';
import { WORKER_TTL_SECONDS, type WorkerPresence } from '../jobs/workers.ts';

export type { LivePresence } from '../jobs/workers.ts';

const key = (prefix: string, ...parts: string[]) => [prefix, 'live', ...parts].join(':');

export interface LiveSessionInfo {
  id: string;
  userId: string;
  workerId: string;
  plugin: string;
  startedAt: string;
}

/** Marks a ticket spent; false when it already was (a replay). */
export async function spendTicket(redis: Redis, prefix: string, ticketId: string, expiresAt: number) {
  const ttl = Math.max(1, expiresAt - Math.floor(Date.now() / 1000) + 5);
  return (await redis.set(key(prefix, 'ticket', ticketId), '1', 'EX', ttl, 'NX')) === 'OK';
}

// Drops the user's expired sessions, then adds this one if the user is under the limit.
const OPEN_SESSION = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('SET', KEYS[2], ARGV[6], 'PX', ARGV[5])
redis.call('SET', KEYS[3], ARGV[6], 'PX', ARGV[5])
return 1`;

const ttlMs = WORKER_TTL_SECONDS * 1000;

/** Live sessions one user may have open at once unless VISAGE_LIVE_SESSIONS_PER_USER says otherwise. */
export const DEFAULT_LIVE_SESSIONS_PER_USER = 2;

/** Registers a session unless its user already has `limit` open; false when over the limit. */
export async function openSession(
  redis: Redis,
  prefix: string,
  session: LiveSessionInfo,
  limit: number,
): Promise<boolean> {
  const now = Date.now();
  const opened = await redis.eval(
    OPEN_SESSION,
    3,
    key(prefix, 'user', session.userId),
    key(prefix, 'session', session.id),
    key(prefix, 'current', session.userId),
    String(now),
    String(now + ttlMs),
    String(limit),
    session.id,
    String(ttlMs),
    JSON.stringify(session),
  );
  return opened === 1;
}

/** Keeps a running session's keys alive (called with the worker's heartbeat). */
export async function refreshSession(redis: Redis, prefix: string, session: LiveSessionInfo): Promise<void> {
  await redis
    .multi()
    .zadd(key(prefix, 'user', session.userId), String(Date.now() + ttlMs), session.id)
    .pexpire(key(prefix, 'user', session.userId), ttlMs)
    .pexpire(key(prefix, 'session', session.id), ttlMs)
    .pexpire(key(prefix, 'current', session.userId), ttlMs)
    .exec();
}

// Deletes the user's "current" pointer only while it still names this session.
const CLOSE_SESSION = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
local current = redis.call('GET', KEYS[3])
if current and cjson.decode(current).id == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 1`;

export async function closeSession(redis: Redis, prefix: string, session: LiveSessionInfo): Promise<void> {
  await redis.eval(
    CLOSE_SESSION,
    3,
    key(prefix, 'user', session.userId),
    key(prefix, 'session', session.id),
    key(prefix, 'current', session.userId),
    session.id,
  );
}

/** How many sessions the user has open on any worker. */
export async function countSessions(redis: Redis, prefix: string, userId: string): Promise<number> {
  return redis.zcount(key(prefix, 'user', userId), String(Date.now()), '+inf');
}

/** The user's most recently opened session that is still running, or null. */
export async function currentSession(
  redis: Redis,
  prefix: string,
  userId: string,
): Promise<LiveSessionInfo | null> {
  const value = await redis.get(key(prefix, 'current', userId));
  return value ? (JSON.parse(value) as LiveSessionInfo) : null;
}

const ACCELERATED = new Set(['cuda', 'mps']);

/** Live sessions a worker can still take (0 for a worker without a live endpoint). */
export const freeLiveSlots = (worker: WorkerPresence): number =>
  worker.live ? Math.max(0, worker.live.slots - worker.live.active) : 0;

/**
 * The worker a new session of `plugin` goes to: one with a free slot, an accelerated one first,
 * then the one with the most free slots. Null when every slot is taken.
 */
export function pickLiveWorker(workers: readonly WorkerPresence[], plugin: string): WorkerPresence | null {
  const candidates = workers.filter((w) => w.live?.plugins.includes(plugin) && freeLiveSlots(w) > 0);
  candidates.sort(
    (a, b) =>
      Number(ACCELERATED.has(b.accelerator)) - Number(ACCELERATED.has(a.accelerator)) ||
      freeLiveSlots(b) - freeLiveSlots(a),
  );
  return candidates[0] ?? null;
}
