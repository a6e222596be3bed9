// tRPC setup, in the order the t3 apps use: context type, init (superjson, readable zod errors),
// then the procedures every router builds on.
import { initTRPC, TRPCError } from '@trpc/server';
import { outageMessage } from '@visage/db';
import superjson from 'superjson';
import { z } from 'zod';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    // A lost database or Redis is an outage, not a bug: 503 and a message to retry, no stack
    // (docs/reliability.md §4, §5).
    const outage = outageMessage(error);
    if (outage) {
      const { stack: _stack, ...data } = shape.data;
      return {
        ...shape,
        message: outage,
        data: { ...data, code: 'SERVICE_UNAVAILABLE' as const, httpStatus: 503, zodError: null },
      };
    }
    const zodError = error.cause instanceof z.ZodError ? z.flattenError(error.cause) : null;
    return { ...shape, data: { ...shape.data, zodError } };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Where in an input a string holds a NUL character (PostgreSQL refuses them in text and jsonb), or null. */
function nulAt(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = key.includes('\u0000') ? `${path}.<key>` : nulAt(item, `${path}.${key}`);
    if (at) return at;
  }
  return null;
}

/**
 * Every procedure refuses text with NUL characters as a BAD_REQUEST: they would otherwise reach
 * PostgreSQL and come back as a 500 (docs/security.md §2).
 */
export const publicProcedure = t.procedure.use(async ({ getRawInput, next }) => {
  const at = nulAt(await getRawInput(), 'input');
  if (at) throw new TRPCError({ code: 'BAD_REQUEST', message: `${at} contains a NUL character` });
  return next();
});

/** Signed in with a session cookie or an API key. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.caller) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in or send an API key' });
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.caller.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Administrators only' });
  return next();
});
