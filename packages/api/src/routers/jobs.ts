import { TRPCError, tracked } from '@trpc/server';
import type { Prisma } from '@visage/db';
import {
  createJobRepository,
  type JobEvent,
  type JobTransitionError,
  jobEventFromRow,
  publishCancel,
  TERMINAL_STATUSES,
} from '@visage/db/jobs';
import { pluginDescriptors, referencedAssets } from '@visage/plugins/schemas';
import { z } from 'zod';
import { assertOwner, notFound, visibleAssets, visibleJobs } from '../access.ts';
import type { Context } from '../context.ts';
import { protectedProcedure, router } from '../trpc.ts';
import { assetUrls } from '../urls.ts';

const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

/** Columns a job list returns (no input blob, no stack). */
const jobSummarySelect = {
  id: true,
  ownerId: true,
  organizationId: true,
  plugin: true,
  status: true,
  progress: true,
  stage: true,
  error: true,
  previewVersion: true,
  createdAt: true,
  startedAt: true,
  finishedAt: true,
  updatedAt: true,
  assets: {
    select: {
      assetId: true,
      role: true,
      slot: true,
      position: true,
      asset: { select: { thumbnailKey: true } },
    },
    orderBy: [{ role: 'asc' }, { slot: 'asc' }, { position: 'asc' }],
  },
  // Whose job it is, for lists that mix the caller's jobs with their teams'.
  owner: { select: { name: true } },
} satisfies Prisma.JobSelect;

type JobSummary = Prisma.JobGetPayload<{ select: typeof jobSummarySelect }>;

/**
 * A list entry with a picture to recognise the job by: its first output's thumbnail, else its first
 * input's (a failed or running job has only inputs); null when none has one.
 */
function withCover({ assets, ...job }: JobSummary) {
  const pick = (role: 'output' | 'input') => assets.find((a) => a.role === role && a.asset.thumbnailKey);
  const cover = pick('output') ?? pick('input');
  return {
    ...job,
    assets: assets.map(({ asset: _, ...link }) => link),
    coverUrl: cover ? assetUrls(cover.assetId, true).thumbnailUrl : null,
  };
}

async function loadVisibleJob(ctx: Context & { caller: NonNullable<Context['caller']> }, id: string) {
  const job = await ctx.db.job.findFirst({ where: { id, ...visibleJobs(ctx.caller) } });
  if (!job) throw notFound('Job', id);
  return job;
}

/** Every status change goes through the job repository, which also publishes the job's event. */
const jobRepository = (ctx: Context) => createJobRepository(ctx);

/** A change the job's status no longer allows (it ended meanwhile), worded for its owner. */
const conflict = (refused: JobTransitionError) =>
  new TRPCError({
    code: 'CONFLICT',
    message:
      refused.status === null
        ? `Job ${refused.jobId} no longer exists`
        : `Job ${refused.jobId} has already ${refused.status}`,
    cause: refused,
  });

/** Validates a plugin input, checks every asset it names is readable by the caller, creates and enqueues the job. */
async function createJob(
  ctx: Context & { caller: NonNullable<Context['caller']> },
  {
    plugin,
    input,
    organizationId,
    retryOfId,
  }: { plugin: string; input: unknown; organizationId?: string | null; retryOfId?: string },
) {
  const descriptor = pluginDescriptors.find((d) => d.id === plugin);
  if (!descriptor || !ctx.plugins.includes(plugin)) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Unknown plugin "${plugin}". Available: ${ctx.plugins.join(', ')}`,
    });
  }
  const parsed = descriptor.input.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: `Invalid ${plugin} input — ${fields}`,
      cause: parsed.error,
    });
  }
  if (organizationId && !ctx.caller.organizationIds.includes(organizationId)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only share with a team you belong to' });
  }
  const refs = referencedAssets(descriptor, parsed.data);
  const ids = [...new Set(refs.flatMap((r) => r.ids))];
  // No query when the input names no asset (jobs.create's cost, docs/reliability.md §7).
  const readable = ids.length
    ? await ctx.db.asset.count({ where: { id: { in: ids }, ...visibleAssets(ctx.caller) } })
    : 0;
  if (readable !== ids.length)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'An input asset was not found' });

  // A job that cannot be enqueued is recorded as failed (and the error rethrown) by the repository.
  return jobRepository(ctx).create(
    {
      ownerId: ctx.caller.userId,
      organizationId: organizationId ?? null,
      plugin,
      input: parsed.data as Prisma.InputJsonValue,
      inputs: refs.flatMap((ref) =>
        ref.ids.map((assetId, position) => ({ assetId, slot: ref.slot, position })),
      ),
      retryOfId,
    },
    (job) => ctx.queues.enqueue(plugin, job.id),
  );
}

export const jobsRouter = router({
  plugins: protectedProcedure.query(({ ctx }) =>
    pluginDescriptors
      .filter((d) => ctx.plugins.includes(d.id))
      .map((d) => ({
        id: d.id,
        title: d.title,
        description: d.description,
        inputSchema: z.toJSONSchema(d.input),
      })),
  ),

  create: protectedProcedure
    .input(z.object({ plugin: z.string().min(1), input: z.unknown(), organizationId: z.string().nullish() }))
    .mutation(async ({ ctx, input }) => {
      const job = await createJob(ctx, input);
      return { id: job.id, status: job.status };
    }),

  list: protectedProcedure
    .input(
      z.object({
        limit: z.int().min(1).max(100).default(30),
        cursor: z.string().nullish(),
        status: z.array(z.enum(JOB_STATUSES)).optional(),
        plugin: z.string().optional(),
        scope: z.enum(['mine', 'visible']).default('visible'),
      }),
    )
    .query(async ({ ctx, input }) => {
      const where: Prisma.JobWhereInput = {
        ...(input.scope === 'mine' ? { ownerId: ctx.caller.userId } : visibleJobs(ctx.caller)),
        ...(input.status ? { status: { in: input.status } } : {}),
        ...(input.plugin ? { plugin: input.plugin } : {}),
      };
      const items = await ctx.db.job.findMany({
        where,
        select: jobSummarySelect,
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: input.limit + 1,
        // The cursor row is the one popped from the previous page: it starts this page.
        ...(input.cursor ? { cursor: { id: input.cursor } } : {}),
      });
      const nextCursor = items.length > input.limit ? (items.pop()?.id ?? null) : null;
      return { items: items.map(withCover), nextCursor };
    }),

  get: protectedProcedure.input(z.object({ id: z.string() })).query(async ({ ctx, input }) => {
    const job = await ctx.db.job.findFirst({
      where: { id: input.id, ...visibleJobs(ctx.caller) },
      include: {
        assets: {
          include: { asset: true },
          orderBy: [{ role: 'asc' }, { slot: 'asc' }, { position: 'asc' }],
        },
      },
    });
    if (!job) throw notFound('Job', input.id);
    // The stack trace is for the owner only.
    return { ...job, errorStack: job.ownerId === ctx.caller.userId ? job.errorStack : null };
  }),

  cancel: protectedProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    const job = await loadVisibleJob(ctx, input.id);
    assertOwner(ctx.caller, job, 'Job', input.id);
    if (TERMINAL_STATUSES.includes(job.status)) {
      throw new TRPCError({ code: 'CONFLICT', message: `Job ${input.id} has already ${job.status}` });
    }
    const jobs = jobRepository(ctx);
    if (await ctx.queues.removeWaiting(job.plugin, job.id)) {
      const cancelled = await jobs.cancel(job.id, { stage: 'cancelled before it started' });
      if (!cancelled.ok) throw conflict(cancelled.refused);
      return { id: job.id, status: cancelled.job.status };
    }
    // A worker holds it, or is about to: note the request on the row first, so a worker that claims
    // the job after the message went by still sees it, then tell the holder to abort
    // (docs/architecture.md §8.6).
    const requested = await jobs.requestCancel(job.id);
    if (!requested.ok) throw conflict(requested.refused);
    await publishCancel(ctx.redis, ctx.redisPrefix, job.id);
    return { id: job.id, status: requested.job.status };
  }),

  retry: protectedProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    const job = await loadVisibleJob(ctx, input.id);
    assertOwner(ctx.caller, job, 'Job', input.id);
    const retried = await createJob(ctx, {
      plugin: job.plugin,
      input: job.input,
      organizationId: job.organizationId,
      retryOfId: job.id,
    });
    return { id: retried.id, status: retried.status };
  }),

  delete: protectedProcedure.input(z.object({ id: z.string() })).mutation(async ({ ctx, input }) => {
    const job = await loadVisibleJob(ctx, input.id);
    assertOwner(ctx.caller, job, 'Job', input.id);
    if (!TERMINAL_STATUSES.includes(job.status)) {
      throw new TRPCError({ code: 'CONFLICT', message: `Job ${input.id} is ${job.status}: cancel it first` });
    }
    await ctx.db.job.delete({ where: { id: job.id } });
    return { id: job.id };
  }),

  /**
   * Status, progress, stage and preview of one job as they change. The first event is the current
   * state, so a client that reconnects (with lastEventId) is up to date at once; ends when the
   * job reaches a final status.
   */
  onUpdate: protectedProcedure
    .input(z.object({ id: z.string(), lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const job = await loadVisibleJob(ctx, input.id);
      const abort = new AbortController();
      signal?.addEventListener('abort', () => abort.abort(), { once: true });
      // Subscribe before reading the current state so no event falls between the two.
      const events = ctx.events.subscribe(job.id, abort.signal)[Symbol.asyncIterator]();
      const withPreview = (e: JobEvent) => ({
        ...e,
        previewUrl: e.previewVersion > 0 ? `/api/jobs/${e.jobId}/preview?v=${e.previewVersion}` : null,
      });
      try {
        let current = jobEventFromRow(await ctx.db.job.findUniqueOrThrow({ where: { id: job.id } }));
        yield tracked(String(current.version), withPreview(current));
        while (!TERMINAL_STATUSES.includes(current.status)) {
          const next = await events.next();
          if (next.done) return;
          if (next.value.version < current.version) continue; // older than what the client has
          current = next.value;
          yield tracked(String(current.version), withPreview(current));
        }
      } catch (error) {
        if (abort.signal.aborted) return; // the client went away
        throw error;
      } finally {
        abort.abort();
      }
    }),
});
