import { TRPCError } from '@trpc/server';
import type { Prisma } from '@visage/db';
import { deleteAsset } from '@visage/db/media';
import { z } from 'zod';
import { assertOwner, notFound, visibleAssets } from '../access.ts';
import { protectedProcedure, router } from '../trpc.ts';

const ASSET_KINDS = ['upload', 'output', 'motion'] as const;

/** Where the browser or a script fetches an asset's bytes and thumbnail (authenticated routes). */
export function assetUrls(id: string, hasThumbnail: boolean) {
  return {
    url: `/api/media/${id}`,
    thumbnailUrl: hasThumbnail ? `/api/media/${id}?variant=thumbnail` : null,
  };
}

const assetSelect = {
  id: true,
  ownerId: true,
  organizationId: true,
  kind: true,
  mime: true,
  bytes: true,
  sha256: true,
  originalName: true,
  width: true,
  height: true,
  durationMs: true,
  fps: true,
  codec: true,
  hasAudio: true,
  thumbnailKey: true,
  starred: true,
  createdAt: true,
} satisfies Prisma.AssetSelect;

function present<T extends { id: string; thumbnailKey: string | null }>({ thumbnailKey, ...asset }: T) {
  return { ...asset, ...assetUrls(asset.id, thumbnailKey !== null) };
}

export const assetsRouter = router({
  list: protectedProcedure
    .input(
      z.object({
        limit: z.int().min(1).max(100).default(40),
        cursor: z.string().nullish(),
        kind: z.enum(ASSET_KINDS).optional(),
        starred: z.boolean().optional(),
        scope: z.enum(['mine', 'visible']).default('visible'),
      }),
    )
    .query(async ({ ctx, input }) => {
      const items = await ctx.db.asset.findMany({
        where: {
          ...(input.scope === 'mine' ? { ownerId: ctx.caller.userId } : visibleAssets(ctx.caller)),
          ...(input.kind ? { kind: input.kind } : {}),
          ...(input.starred !== undefined ? { starred: input.starred } : {}),
        },
        select: assetSelect,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        // The cursor row is the one popped from the previous page: it starts this page.
        ...(input.cursor ? { cursor: { id: input.cursor } } : {}),
      });
      const nextCursor = items.length > input.limit ? (items.pop()?.id ?? null) : null;
      return { items: items.map(present), nextCursor };
    }),

  get: protectedProcedure.input(z.object({ id: z.string() })).query(async ({ ctx, input }) => {
    const asset = await ctx.db.asset.findFirst({
      where: { id: input.id, ...visibleAssets(ctx.caller) },
      select: { ...assetSelect, metadata: true, jobs: { select: { jobId: true, role: true, slot: true } } },
    });
    if (!asset) throw notFound('Asset', input.id);
    return present(asset);
  }),

  star: protectedProcedure
    .input(z.object({ id: z.string(), starred: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const asset = await ctx.db.asset.findFirst({ where: { id: input.id, ...visibleAssets(ctx.caller) } });
      if (!asset) throw notFound('Asset', input.id);
      assertOwner(ctx.caller, asset, 'Asset', input.id);
      await ctx.db.asset.update({ where: { id: asset.id }, data: { starred: input.starred } });
      return { id: asset.id, starred: input.starred };
    }),

  share: protectedProcedure
    .input(z.object({ id: z.string(), organizationId: z.string().nullable() }))
    .mutation(async ({ ctx, input }) => {
      const asset = await ctx.db.asset.findFirst({ where: { id: input.id, ...visibleAssets(ctx.caller) } });
      if (!asset) throw notFound('Asset', input.id);
      assertOwner(ctx.caller, asset, 'Asset', input.id);
      if (input.organizationId && !ctx.caller.organizationIds.includes(input.organizationId)) {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only share with a team you belong to' });
      }
      await ctx.db.asset.update({ where: { id: asset.id }, data: { organizationId: input.organizationId } });
      return { id: asset.id, organizationId: input.organizationId };
    }),

  delete: protectedProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    const asset = await ctx.db.asset.findFirst({ where: { id: input.id, ...visibleAssets(ctx.caller) } });
    if (!asset) throw notFound('Asset', input.id);
    assertOwner(ctx.caller, asset, 'Asset', input.id);
    await deleteAsset(ctx.db, ctx.media, asset.id);
    return { id: asset.id };
  }),
});
