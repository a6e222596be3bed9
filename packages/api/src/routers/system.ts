import { pingDb } from '@visage/db';
import { listWorkers } from '@visage/db/jobs';
import { z } from 'zod';
import { isSignupOpen, setSignupOpen } from '../settings.ts';
import { adminProcedure, protectedProcedure, publicProcedure, router } from '../trpc.ts';
import { workerView } from '../worker-view.ts';

export const systemRouter = router({
  /** Whether the stores answer; public, like /api/health. */
  health: publicProcedure.query(async ({ ctx }) => {
    const [database, redis] = await Promise.allSettled([pingDb(ctx.db), ctx.redis.ping()]);
    return { database: database.status === 'fulfilled', redis: redis.status === 'fulfilled' };
  }),

  /**
   * Live workers (from their heartbeats) and queue counts per plugin. Host names, process ids,
   * devices and models are for admins only (worker-view.ts).
   */
  status: protectedProcedure.query(async ({ ctx }) => {
    const workers = await listWorkers(ctx.redis, ctx.redisPrefix);
    return {
      workers: workers.map((w) => workerView(ctx.caller, ctx.live.secret, w)),
      queues: await ctx.queues.counts(),
      plugins: ctx.plugins,
    };
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
