// better-auth's server API throws its own APIError; inside a procedure that would be answered as a
// 500. These helpers turn the caller's mistakes (4xx) into the TRPCError with the same meaning.
import { TRPCError } from '@trpc/server';
import { isAPIError } from 'better-auth/api';

const CODES: Record<number, TRPCError['code']> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  422: 'UNPROCESSABLE_CONTENT',
  429: 'TOO_MANY_REQUESTS',
};

/** Runs a better-auth call; its 4xx answers become TRPCErrors, anything else is rethrown as is. */
export async function viaAuth<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isAPIError(error) || error.statusCode >= 500) throw error;
    throw new TRPCError({
      code: CODES[error.statusCode] ?? 'BAD_REQUEST',
      message: error.message || error.status.toString(),
      cause: error,
    });
  }
}
