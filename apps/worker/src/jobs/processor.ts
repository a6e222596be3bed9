// Runs one job: load the row, claim it, run the plugin, store the outcome. Every way a job can end
// (succeeded, failed, cancelled, interrupted by shutdown) is written to its row and announced.
import type { Db, Prisma } from '@visage/db';
import { jobEventFromRow, publishJobEvent, TERMINAL_STATUSES } from '@visage/db/jobs';
import type { ModelStore } from '@visage/inference';
import type { Plugin } from '@visage/plugins';
import { DelayedError, type Job as QueueJob } from 'bullmq';
import { type Cancellation, CancelledByUser, WorkerShutdown } from './cancellation.ts';
import { createRunContext, type RunContextDeps } from './run-context.ts';

export interface ProcessorDeps extends Omit<RunContextDeps, 'reportQueueProgress'> {
  cancellation: Cancellation;
  /** Which models are installed; a job needing a missing one is refused before it starts. */
  modelStore: Pick<ModelStore, 'missingModels'>;
}

export type JobOutcome = 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'skipped';

export async function processJob(
  deps: ProcessorDeps,
  plugin: Plugin,
  queueJob: QueueJob<{ jobId: string }>,
  token: string | undefined,
): Promise<JobOutcome> {
  const { db, log } = deps;
  const jobId = queueJob.data.jobId;
  const announce = async (row: Parameters<typeof jobEventFromRow>[0]) =>
    publishJobEvent(deps.redis, deps.redisPrefix, jobEventFromRow(row));

  const row = await db.job.findUnique({ where: { id: jobId } });
  if (!row) {
    log.info({ jobId }, 'job was deleted before it ran; skipping');
    return 'skipped';
  }
  // "running" too: a job whose worker died (or was stopped) is picked up again.
  const claimed = await db.job.updateMany({
    where: { id: jobId, status: { in: ['queued', 'running'] } },
    data: {
      status: 'running',
      startedAt: row.startedAt ?? new Date(),
      attempts: { increment: 1 },
      device: deps.device.device,
      stage: 'starting',
      error: null,
      errorStack: null,
    },
  });
  if (claimed.count === 0) {
    log.info({ jobId, status: row.status }, 'job is no longer waiting to run; skipping');
    return 'skipped';
  }
  await announce(await db.job.findUniqueOrThrow({ where: { id: jobId } }));

  const controller = deps.cancellation.register(jobId);
  const ctx = createRunContext(
    { ...deps, reportQueueProgress: (fraction) => queueJob.updateProgress(Math.round(fraction * 100)) },
    row,
    controller.signal,
  );
  const started = performance.now();
  const finish = async (data: Prisma.JobUpdateInput) => {
    const metadata = { ...((row.metadata as Record<string, unknown> | null) ?? {}), ...ctx.metadata() };
    const timings = {
      runMs: Math.round(performance.now() - started),
      waitedMs: Date.now() - row.createdAt.getTime(),
    };
    // The execution providers the job's models ran on, e.g. "cuda" or "coreml+cpu".
    const provider = ctx.providers().join('+') || null;
    await announce(
      await db.job.update({
        where: { id: jobId },
        data: { ...data, metadata: metadata as Prisma.InputJsonValue, timings, provider },
      }),
    );
  };

  try {
    log.info({ jobId, plugin: plugin.id }, 'job started');
    const input = plugin.input.parse(row.input);
    const missing = deps.modelStore.missingModels(plugin.models(input));
    if (missing) throw missing; // names every missing model and how to get it
    await plugin.run(ctx, input);
    await ctx.flush();
    await finish({ status: 'succeeded', progress: 1, stage: 'done', finishedAt: new Date() });
    log.info({ jobId }, 'job succeeded');
    return 'succeeded';
  } catch (error) {
    await ctx.flush();
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof CancelledByUser) {
      await finish({ status: 'cancelled', stage: 'cancelled', finishedAt: new Date() });
      log.info({ jobId }, 'job cancelled');
      return 'cancelled';
    }
    if (reason instanceof WorkerShutdown && token) {
      // Back to the queue without spending an attempt; another (or the restarted) worker runs it.
      await finish({ status: 'queued', stage: 'interrupted by a worker shutdown; waiting for a worker' });
      await queueJob.moveToDelayed(Date.now() + 1_000, token);
      log.warn({ jobId }, 'job interrupted by shutdown and re-queued');
      throw new DelayedError();
    }
    const err = error instanceof Error ? error : new Error(String(error));
    await finish({
      status: 'failed',
      error: err.message,
      errorStack: err.stack ?? null,
      finishedAt: new Date(),
    });
    log.error({ jobId, err }, 'job failed');
    throw err;
  } finally {
    deps.cancellation.unregister(jobId);
  }
}

/**
 * For jobs BullMQ fails without our processor finishing them (stalled too often after worker
 * crashes): record the failure so the row is never left "running".
 */
export async function recordQueueFailure(
  db: Db,
  deps: Pick<ProcessorDeps, 'redis' | 'redisPrefix'>,
  jobId: string,
  message: string,
) {
  const { count } = await db.job.updateMany({
    where: { id: jobId, status: { notIn: [...TERMINAL_STATUSES] } },
    data: { status: 'failed', error: message, finishedAt: new Date() },
  });
  if (count > 0) {
    await publishJobEvent(
      deps.redis,
      deps.redisPrefix,
      jobEventFromRow(await db.job.findUniqueOrThrow({ where: { id: jobId } })),
    );
  }
  return count > 0;
}
