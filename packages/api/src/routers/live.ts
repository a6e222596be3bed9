// Live mode's API (docs/live.md §2): which live modes have a free worker, a ticket for a session
// (options validated, assets checked readable, the user's session limit, a worker with a free slot
// chosen and written into the ticket), and a ticket for the output view of the user's session.
import { TRPCError } from '@trpc/server';
import { listWorkers } from '@visage/db/jobs';
import {
  countSessions,
  currentSession,
  freeLiveSlots,
  LIVE_PATH,
  pickLiveWorker,
  signLiveTicket,
} from '@visage/db/live';
import { liveDescriptors, referencedAssets } from '@visage/plugins/schemas';
import { z } from 'zod';
import { visibleAssets } from '../access.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../trpc.ts';
import { workerView } from '../worker-view.ts';

const enabledLive = (ctx: Context) => liveDescriptors.filter((d) => ctx.plugins.includes(d.id));

const socketPath = (token: string) => `${LIVE_PATH}?ticket=${encodeURIComponent(token)}`;

export const liveRouter = router({
  /** The live modes this installation offers, with their option schema and free worker slots. */
  modes: protectedProcedure.query(async ({ ctx }) => {
    const workers = await listWorkers(ctx.redis, ctx.redisPrefix);
    return enabledLive(ctx).map((d) => {
      const serving = workers.filter((w) => w.live?.plugins.includes(d.id));
      return {
        id: d.id,
        title: d.title,
        description: d.description,
        inputSchema: z.toJSONSchema(d.input, { io: 'input' }),
        assetFields: [...d.assetFields],
        workers: serving.length,
        freeSlots: serving.reduce((sum, w) => sum + freeLiveSlots(w), 0),
        accelerated: serving.some((w) => w.accelerator !== 'cpu'),
      };
    });
  }),

  /** A ticket for one session socket; the hello must repeat the returned options exactly. */
  start: protectedProcedure
    .input(z.object({ plugin: z.string().min(1), options: z.record(z.string(), z.unknown()) }))
    .mutation(async ({ ctx, input }) => {
      const descriptor = enabledLive(ctx).find((d) => d.id === input.plugin);
      if (!descriptor)
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `No live mode "${input.plugin}". Available: ${enabledLive(ctx)
            .map((d) => d.id)
            .join(', ')}`,
        });
      const parsed = descriptor.input.safeParse(input.options);
      if (!parsed.success) {
        const fields = parsed.error.issues
          .map((i) => `${i.path.join('.') || 'options'}: ${i.message}`)
          .join('; ');
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: `Invalid live ${descriptor.id} options — ${fields}`,
          cause: parsed.error,
        });
      }
      const options = parsed.data as Record<string, unknown>;
      const ids = [...new Set(referencedAssets(descriptor, options).flatMap((r) => r.ids))];
      const readable = await ctx.db.asset.count({ where: { id: { in: ids }, ...visibleAssets(ctx.caller) } });
      if (readable !== ids.length)
        throw new TRPCError({ code: 'NOT_FOUND', message: 'An input asset was not found' });
      const { sessionsPerUser } = ctx.live;
      if ((await countSessions(ctx.redis, ctx.redisPrefix, ctx.caller.userId)) >= sessionsPerUser)
        throw new TRPCError({
          code: 'TOO_MANY_REQUESTS',
          message: `You already have ${sessionsPerUser} live sessions open; stop one first`,
        });
      const worker = pickLiveWorker(await listWorkers(ctx.redis, ctx.redisPrefix), descriptor.id);
      if (!worker)
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: `No worker has a free live slot for ${descriptor.title.toLowerCase()}: wait for a session to end, or start another worker`,
        });
      const { token, ticket } = await signLiveTicket(ctx.live.secret, {
        kind: 'session',
        userId: ctx.caller.userId,
        workerId: worker.id,
        plugin: descriptor.id,
        options,
      });
      return {
        path: socketPath(token),
        workerId: workerView(ctx.caller, ctx.live.secret, worker).id,
        accelerator: worker.accelerator,
        options,
        expiresAt: new Date(ticket.expiresAt * 1000).toISOString(),
      };
    }),

  /** A ticket for the output view of the caller's newest session; null while none runs. */
  watch: protectedProcedure.mutation(async ({ ctx }) => {
    const session = await currentSession(ctx.redis, ctx.redisPrefix, ctx.caller.userId);
    if (!session) return null;
    const { token } = await signLiveTicket(ctx.live.secret, {
      kind: 'watch',
      userId: ctx.caller.userId,
      workerId: session.workerId,
      plugin: session.plugin,
      options: {},
    });
    return { path: socketPath(token), plugin: session.plugin, startedAt: session.startedAt };
  }),
});
