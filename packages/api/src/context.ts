// The request context: the services routers reach data through, and the caller resolved from the
// session cookie or an API key (`Authorization: Bearer …`). Tests build it with createContextInner.

import { TRPCError } from '@trpc/server';
import { type Db, isDatabaseUnavailable } from '@visage/db';
import type { MediaStore } from '@visage/db/media';
import { isAPIError } from 'better-auth/api';
import type { Redis } from 'ioredis';
import { type Caller, loadCaller } from './access.ts';
import type { Auth } from './auth.ts';
import type { JobEventHub } from './job-event-hub.ts';
import type { ModelCommands } from './models/commands.ts';
import type { JobQueues } from './queues.ts';
import type { TargetFacesRequests } from './target-faces.ts';

export interface ApiServices {
  db: Db;
  redis: Redis;
  redisPrefix: string;
  auth: Auth;
  queues: JobQueues;
  events: JobEventHub;
  media: MediaStore;
  /** Model management, carried out by the workers (each owns its models folder). */
  modelCommands: ModelCommands;
  /** Plugins this installation runs (their queues exist). */
  plugins: readonly string[];
  /** Asks a worker for a face swap target's faces (face mapping); null when face swap is not enabled. */
  targetFaces: TargetFacesRequests | null;
  /** Live mode: the key live tickets are signed with (the auth secret) and the per-user session limit. */
  live: { secret: string; sessionsPerUser: number };
}

export interface Context extends ApiServices {
  caller: Caller | null;
  headers: Headers;
}

export function createContextInner(
  services: ApiServices,
  caller: Caller | null,
  headers = new Headers(),
): Context {
  return { ...services, caller, headers };
}

/** Who is calling: a session cookie or an API key; null when neither is sent. */
export async function resolveCaller(
  services: Pick<ApiServices, 'auth' | 'db'>,
  headers: Headers,
): Promise<Caller | null> {
  let session: Awaited<ReturnType<Auth['api']['getSession']>>;
  try {
    session = await services.auth.api.getSession({ headers });
  } catch (error) {
    // better-auth throws (rather than returning null) for an unknown, revoked or disabled key. A lost
    // database comes wrapped the same way ("Failed to get session"): that is a 503, not a sign-out.
    if (isAPIError(error) && !isDatabaseUnavailable(error))
      throw new TRPCError({ code: 'UNAUTHORIZED', message: error.message || 'Invalid API key' });
    throw error;
  }
  if (!session) return null;
  if (session.user.banned) throw new TRPCError({ code: 'FORBIDDEN', message: 'This account is disabled' });
  return loadCaller(services.db, session.user);
}

export async function createContext(services: ApiServices, headers: Headers): Promise<Context> {
  return createContextInner(services, await resolveCaller(services, headers), headers);
}
