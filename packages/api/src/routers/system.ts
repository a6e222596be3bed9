import { pingDb } from '@visage/db';
import { z } from 'zod';
import { isSignupOpen, setSignupOpen } from '../settings.ts';
import { adminProcedure, protectedProcedure, publicProcedure, router } from '../trpc.ts';

interface WorkerPresence {
  id: string;
  host: string;
  device: string;
  accelerator: string;
  startedAt: string;
}

export const systemRouter = router({
  /** Whether the stores answer; public, like /api/health. */
  health: publicProcedure.query(async ({ ctx }) => {
    const [database, redis] = await Promise.allSettled([pingDb(ctx.db), ctx.redis.ping()]);
    return { database: database.status === 'fulfilled', redis: redis.status === 'fulfilled' };
  }),

  /** Live workers (from their heartbeats) with their device summaries, and queue counts per plugin. */
  status: protectedProcedure.query(async ({ ctx }) => {
    const keys = await ctx.redis.keys(`${ctx.redisPrefix}:workers:*`);
    const values = keys.length ? await ctx.redis.mget(...keys) : [];
    const workers = values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerPresence);
    return { workers, queues: await ctx.queues.counts(), plugins: ctx.plugins };
  }),

  signupOpen: publicProcedure.query(async ({ ctx }) => ({
    open: await isSignupOpen(ctx.db),
    firstRun: (await ctx.db.user.count()) === 0,
  })),

  setSignupOpen: adminProcedure.input(z.object({ open: z.boolean() })).mutation(async ({ ctx, input }) => {
    await setSignupOpen(ctx.db, input.open);
    return { open: input.open };
  }),
});
