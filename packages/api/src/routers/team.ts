import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure, router } from '../trpc.ts';

const memberInput = z.object({
  organizationId: z.string(),
  email: z.email(),
  role: z.enum(['member', 'admin']).default('member'),
});

/** Teams are better-auth organizations; this router is the API's view of them. */
export const teamRouter = router({
  list: protectedProcedure.query(async ({ ctx }) =>
    ctx.db.organization.findMany({
      where: { id: { in: ctx.caller.organizationIds } },
      select: {
        id: true,
        name: true,
        slug: true,
        members: { select: { userId: true, role: true, user: { select: { name: true, email: true } } } },
      },
      orderBy: { name: 'asc' },
    }),
  ),

  create: protectedProcedure
    .input(z.object({ name: z.string().trim().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const slug = `${
        input.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-|-$/g, '') || 'team'
      }-${Date.now().toString(36)}`;
      const org = await ctx.auth.api.createOrganization({
        body: { name: input.name, slug, userId: ctx.caller.userId },
      });
      if (!org) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Could not create the team' });
      return { id: org.id, name: org.name, slug: org.slug };
    }),

  /** Adds an existing account to a team the caller owns or administers. */
  addMember: protectedProcedure.input(memberInput).mutation(async ({ ctx, input }) => {
    const me = await ctx.db.member.findFirst({
      where: { organizationId: input.organizationId, userId: ctx.caller.userId },
    });
    if (!me || (me.role !== 'owner' && me.role !== 'admin')) {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Only team owners and admins can add members' });
    }
    const user = await ctx.db.user.findUnique({ where: { email: input.email.toLowerCase() } });
    if (!user)
      throw new TRPCError({
        code: 'NOT_FOUND',
        message: `No account uses ${input.email}; invite them instead`,
      });
    await ctx.auth.api.addMember({
      body: { userId: user.id, organizationId: input.organizationId, role: input.role },
    });
    return { userId: user.id };
  }),

  /** Invites an address (who may then sign up even while sign-up is closed). */
  invite: protectedProcedure.input(memberInput).mutation(async ({ ctx, input }) => {
    const invitation = await ctx.auth.api.createInvitation({
      headers: ctx.headers,
      body: { organizationId: input.organizationId, email: input.email.toLowerCase(), role: input.role },
    });
    return { id: invitation.id, email: invitation.email, expiresAt: invitation.expiresAt };
  }),
});
