// Who may see what: everything is private to its owner unless shared with a team the caller is a
// member of. Only the owner may change or delete a job or an asset.

import { TRPCError } from '@trpc/server';
import type { Db, Prisma } from '@visage/db';

export interface Caller {
  userId: string;
  role: 'admin' | 'user';
  /** Teams the caller belongs to. */
  organizationIds: string[];
}

export async function loadCaller(db: Db, user: { id: string; role?: string | null }): Promise<Caller> {
  const memberships = await db.member.findMany({
    where: { userId: user.id },
    select: { organizationId: true },
  });
  return {
    userId: user.id,
    role: user.role === 'admin' ? 'admin' : 'user',
    organizationIds: memberships.map((m) => m.organizationId),
  };
}

/** Rows (jobs or assets) the caller may read. */
export function visibleTo(caller: Caller): {
  OR: ({ ownerId: string } | { organizationId: { in: string[] } })[];
} {
  return { OR: [{ ownerId: caller.userId }, { organizationId: { in: caller.organizationIds } }] };
}

export const visibleJobs = (caller: Caller): Prisma.JobWhereInput => visibleTo(caller);
export const visibleAssets = (caller: Caller): Prisma.AssetWhereInput => visibleTo(caller);

/** NOT_FOUND for rows the caller cannot see: never reveal that someone else's row exists. */
export function notFound(what: 'Job' | 'Asset', id: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} ${id} not found` });
}

/** The caller may read it; changing it (cancel, retry, delete, star) is for its owner only. */
export function assertOwner(
  caller: Caller,
  row: { ownerId: string },
  what: 'Job' | 'Asset',
  id: string,
): void {
  if (row.ownerId !== caller.userId) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `Only the owner can change ${what.toLowerCase()} ${id}`,
    });
  }
}
