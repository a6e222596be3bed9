import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { viaAuth } from '../auth-errors.ts';
import { protectedProcedure, router } from '../trpc.ts';

export const apiKeysRouter = router({
  /** Creates a key for the caller. The plaintext key is returned once; only its hash is stored. */
  create: protectedProcedure
    .input(
      z.object({
        name: z.string().trim().min(1).max(64),
        expiresInDays: z.int().min(1).max(3650).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const created = await viaAuth(() =>
        ctx.auth.api.createApiKey({
          body: {
            name: input.name,
            userId: ctx.caller.userId,
            expiresIn: input.expiresInDays ? input.expiresInDays * 86_400 : undefined,
          },
        }),
      );
      return {
        id: created.id,
        name: created.name,
        key: created.key,
        start: created.start,
        expiresAt: created.expiresAt,
      };
    }),

  list: protectedProcedure.query(async ({ ctx }) => {
    const keys = await ctx.db.apikey.findMany({
      where: { referenceId: ctx.caller.userId },
      select: {
        id: true,
        name: true,
        start: true,
        createdAt: true,
        lastRequest: true,
        expiresAt: true,
        enabled: true,
      },
      orderBy: { createdAt: 'desc' },
    });
    return keys;
  }),

  revoke: protectedProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.apikey.deleteMany({
      where: { id: input.id, referenceId: ctx.caller.userId },
    });
    if (count === 0) throw new TRPCError({ code: 'NOT_FOUND', message: `API key ${input.id} not found` });
    return { id: input.id };
  }),
});
