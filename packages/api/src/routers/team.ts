import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { viaAuth } from '../auth-errors.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../trpc.ts';

/** The caller must be an owner or admin of the team to change who is in it. */
async function assertTeamManager(
  ctx: { db: Context['db']; caller: { userId: string } },
  organizationId: string,
  action: string,
) {
  const me = await ctx.db.member.findFirst({ where: { organizationId, userId: ctx.caller.userId } });
  if (!me || (me.role !== 'owner' && me.role !== 'admin')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `Only team owners and admins can ${action}` });
  }
}

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
        members: {
          select: { id: true, userId: true, role: true, user: { select: { name: true, email: true } } },
          orderBy: { createdAt: 'asc' },
        },
        invitations: {
          where: { status: 'pending', expiresAt: { gt: new Date() } },
          select: { id: true, email: true, role: true, expiresAt: true },
          orderBy: { createdAt: 'desc' },
        },
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
      const org = await viaAuth(() =>
        ctx.auth.api.createOrganization({ body: { name: input.name, slug, userId: ctx.caller.userId } }),
      );
      if (!org) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Could not create the team' });
      return { id: org.id, name: org.name, slug: org.slug };
    }),

  /** Adds an existing account to a team the caller owns or administers. */
  addMember: protectedProcedure.input(memberInput).mutation(async ({ ctx, input }) => {
    await assertTeamManager(ctx, input.organizationId, 'add members');
    const user = await ctx.db.user.findUnique({ where: { email: input.email.toLowerCase() } });
    if (!user)
      throw new TRPCError({
        code: 'NOT_FOUND',
        message: `No account uses ${input.email}; invite them instead`,
      });
    await viaAuth(() =>
      ctx.auth.api.addMember({
        body: { userId: user.id, organizationId: input.organizationId, role: input.role },
      }),
    );
    return { userId: user.id };
  }),

  /** Invites an address (who may then sign up even while sign-up is closed). */
  invite: protectedProcedure.input(memberInput).mutation(async ({ ctx, input }) => {
    await assertTeamManager(ctx, input.organizationId, 'invite');
    const invitation = await viaAuth(() =>
      ctx.auth.api.createInvitation({
        headers: ctx.headers,
        body: { organizationId: input.organizationId, email: input.email.toLowerCase(), role: input.role },
      }),
    );
    return { id: invitation.id, email: invitation.email, expiresAt: invitation.expiresAt };
  }),

  /** Withdraws a pending invitation (the address can then no longer sign up while sign-up is closed). */
  cancelInvitation: protectedProcedure
    .input(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      // Only members learn that one of their team's invitations exists.
      const invitation = await ctx.db.invitation.findFirst({
        where: { id: input.id, status: 'pending', organizationId: { in: ctx.caller.organizationIds } },
      });
      if (!invitation)
        throw new TRPCError({ code: 'NOT_FOUND', message: `Invitation ${input.id} not found` });
      await assertTeamManager(ctx, invitation.organizationId, 'revoke invitations');
      await ctx.db.invitation.update({ where: { id: invitation.id }, data: { status: 'canceled' } });
      return { id: invitation.id };
    }),

  /** Removes someone from a team; the owner stays (a team without one could not be managed). */
  removeMember: protectedProcedure
    .input(z.object({ organizationId: z.string(), userId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await assertTeamManager(ctx, input.organizationId, 'remove members');
      const member = await ctx.db.member.findFirst({
        where: { organizationId: input.organizationId, userId: input.userId },
      });
      if (!member) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such member in this team' });
      if (member.role === 'owner') {
        throw new TRPCError({ code: 'FORBIDDEN', message: "The team's owner cannot be removed" });
      }
      await ctx.db.member.delete({ where: { id: member.id } });
      return { userId: input.userId };
    }),

  /** Pending invitations addressed to the caller's email, to accept from Settings after signing up. */
  myInvitations: protectedProcedure.query(async ({ ctx }) => {
    const me = await ctx.db.user.findUniqueOrThrow({ where: { id: ctx.caller.userId } });
    return ctx.db.invitation.findMany({
      where: { email: me.email.toLowerCase(), status: 'pending', expiresAt: { gt: new Date() } },
      select: { id: true, role: true, expiresAt: true, organization: { select: { id: true, name: true } } },
      orderBy: { createdAt: 'desc' },
    });
  }),

  acceptInvitation: protectedProcedure
    .input(z.object({ id: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const me = await ctx.db.user.findUniqueOrThrow({ where: { id: ctx.caller.userId } });
      const invitation = await ctx.db.invitation.findFirst({
        where: {
          id: input.id,
          email: me.email.toLowerCase(),
          status: 'pending',
          expiresAt: { gt: new Date() },
        },
      });
      if (!invitation)
        throw new TRPCError({ code: 'NOT_FOUND', message: 'This invitation is not open to you' });
      const role = invitation.role === 'admin' ? 'admin' : 'member';
      const already = await ctx.db.member.findFirst({
        where: { organizationId: invitation.organizationId, userId: me.id },
      });
      if (!already) {
        await viaAuth(() =>
          ctx.auth.api.addMember({
            body: { userId: me.id, organizationId: invitation.organizationId, role },
          }),
        );
      }
      await ctx.db.invitation.update({ where: { id: invitation.id }, data: { status: 'accepted' } });
      return { organizationId: invitation.organizationId };
    }),
});
