// Route handlers outside tRPC (upload, media) authenticate exactly as tRPC does.

import { TRPCError } from '@trpc/server';
import { type Caller, resolveCaller } from '@visage/api';
import { databaseErrorReason, outageMessage } from '@visage/db';
import { log } from './logger.ts';
import { services } from './services.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'ERROR',
  ) {
    super(message);
  }
}

export async function requireCaller(request: Request): Promise<Caller> {
  const api = await services();
  let caller: Caller | null;
  try {
    caller = await resolveCaller(api, request.headers);
  } catch (error) {
    if (error instanceof TRPCError)
      throw new HttpError(error.code === 'FORBIDDEN' ? 403 : 401, error.message, error.code);
    throw error;
  }
  if (!caller) throw new HttpError(401, 'Sign in or send an API key', 'UNAUTHORIZED');
  return caller;
}

/**
 * JSON error response for an HttpError, and a 503 for a lost database or Redis (an outage, not a bug:
 * docs/reliability.md §4, §5); anything else is rethrown (Next logs it as a 500).
 */
export function errorResponse(error: unknown): Response {
  if (error instanceof HttpError) {
    return Response.json({ error: error.message, code: error.code }, { status: error.status });
  }
  const outage = outageMessage(error);
  if (outage) {
    log().warn({ reason: databaseErrorReason(error) }, `request failed: ${outage}`);
    return Response.json(
      { error: outage, code: 'SERVICE_UNAVAILABLE' },
      { status: 503, headers: { 'retry-after': '5' } },
    );
  }
  throw error;
}
