import { TRPCError } from '@trpc/server';
import type { Prisma } from '@visage/db';
import { deleteAsset } from '@visage/db/media';
import { z } from 'zod';
import { assertOwner, notFound, visibleAssets } from '../access.ts';
import { protectedProcedure, router } from '../trpc.ts';
import { assetUrls } from '../urls.ts';

const ASSET_KINDS = ['upload', 'output', 'motion'] as const;
const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
/** Most assets one bulk action (delete, zip download) takes. */
export const MAX_BULK_ASSETS = 200;

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
  // Provenance of a live recording (the only assets with metadata: job outputs keep theirs on the job).
  metadata: true,
  // The job that made it (outputs and motion templates have one; uploads have none).
  jobs: {
    where: { role: 'output' },
    select: { job: { select: { id: true, plugin: true, status: true } } },
    take: 1,
  },
} satisfies Prisma.AssetSelect;

type Produced = { jobs: { job: { id: string; plugin: string; status: string } }[] };

/** What a live recording's card shows (docs/live.md §5): the tool, the device, each model's provider. */
export interface LiveSummary {
  plugin: string;
  device: string | null;
  providers: Record<string, string>;
}

function liveSummary(metadata: unknown): LiveSummary | null {
  const live = (metadata as { live?: Record<string, unknown> } | null)?.live;
  if (typeof live?.plugin !== 'string') return null;
  return {
    plugin: live.plugin,
    device: typeof live.device === 'string' ? live.device : null,
    providers:
      typeof live.providers === 'object' && live.providers ? (live.providers as Record<string, string>) : {},
  };
}

function present<T extends { id: string; thumbnailKey: string | null; metadata: unknown } & Produced>({
  thumbnailKey,
  jobs,
  metadata,
  ...asset
}: T) {
  return {
    ...asset,
    job: jobs[0]?.job ?? null,
    live: liveSummary(metadata),
    ...assetUrls(asset.id, thumbnailKey !== null),
  };
}

export const assetsRouter = router({
  list: protectedProcedure
    .input(
      z.object({
        limit: z.int().min(1).max(100).default(40),
        cursor: z.string().nullish(),
        kind: z.enum(ASSET_KINDS).optional(),
        starred: z.boolean().optional(),
        /** Only assets a job of this plugin produced. */
        plugin: z.string().optional(),
        /** Only assets produced by a job in one of these statuses. */
        jobStatus: z.array(z.enum(JOB_STATUSES)).optional(),
        /**
         * Leave out job outputs in other slots: "result" drops side outputs such as a face swap's
         * saved mask (the gallery's view); assets no job made (live recordings) stay.
         */
        slot: z.string().min(1).max(64).optional(),
        scope: z.enum(['mine', 'visible']).default('visible'),
      }),
    )
    .query(async ({ ctx, input }) => {
      const producedBy: Prisma.JobWhereInput = {
        ...(input.plugin ? { plugin: input.plugin } : {}),
        ...(input.jobStatus ? { status: { in: input.jobStatus } } : {}),
      };
      const items = await ctx.db.asset.findMany({
        where: {
          ...(input.scope === 'mine' ? { ownerId: ctx.caller.userId } : visibleAssets(ctx.caller)),
          ...(input.kind ? { kind: input.kind } : {}),
          ...(input.starred !== undefined ? { starred: input.starred } : {}),
          ...(Object.keys(producedBy).length > 0
            ? { jobs: { some: { role: 'output', job: producedBy } } }
            : {}),
          ...(input.slot ? { NOT: { jobs: { some: { role: 'output', slot: { not: input.slot } } } } } : {}),
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
      select: assetSelect,
    });
    if (!asset) throw notFound('Asset', input.id);
    // Every job it took part in, as input or output.
    const links = await ctx.db.jobAsset.findMany({
      where: { assetId: asset.id },
      select: { jobId: true, role: true, slot: true },
    });
    return { ...present(asset), metadata: asset.metadata, jobs: links };
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

  /** Deletes several of the caller's own assets; refuses the lot if any is not theirs or not found. */
  deleteMany: protectedProcedure
    .input(z.object({ ids: z.array(z.string()).min(1).max(MAX_BULK_ASSETS) }))
    .mutation(async ({ ctx, input }) => {
      const ids = [...new Set(input.ids)];
      const assets = await ctx.db.asset.findMany({
        where: { id: { in: ids }, ...visibleAssets(ctx.caller) },
        select: { id: true, ownerId: true },
      });
      const missing = ids.find((id) => !assets.some((a) => a.id === id));
      if (missing) throw notFound('Asset', missing);
      for (const asset of assets) assertOwner(ctx.caller, asset, 'Asset', asset.id);
      for (const asset of assets) await deleteAsset(ctx.db, ctx.media, asset.id);
      return { ids };
    }),
});
