// Runs one job: claim the row, run the plugin, record the outcome. Every way a job can end
// (succeeded, failed, cancelled, interrupted by shutdown) is a write of the job repository, which
// guards it with the transition table and announces it (docs/architecture.md §8.4).
import type { JobRow, JobTransitionError, PluginJobData, RunRecord } from '@visage/db/jobs';
import { discardStagedOutputs } from '@visage/db/media';
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

/**
 * What a run came to (BullMQ's return value). A failure throws instead, so BullMQ marks the job
 * failed, and so does a shutdown (`DelayedError`: the job goes back on the queue).
 * - `skipped`: the row was gone or could not be claimed (it ended, or was cancelled before it started);
 * - `superseded`: the row ended elsewhere while this worker ran it (the owner's cancel or a queue
 *   failure after a stall), so this run's outcome was not recorded.
 */
export type JobOutcome = 'succeeded' | 'cancelled' | 'skipped' | 'superseded';

export async function processJob(
  deps: ProcessorDeps,
  plugin: Plugin,
  queueJob: QueueJob<PluginJobData>,
  token: string | undefined,
): Promise<JobOutcome> {
  const { log } = deps;
  const jobId = queueJob.data.jobId;
  // Listen for a cancel before claiming: a request published from now on aborts this controller, and
  // one published earlier was noted on the row the claim returns (docs/architecture.md §8.6).
  const controller = deps.cancellation.register(jobId);
  try {
    // "running" too: a job whose worker died (or was stopped) is picked up again.
    const claimed = await deps.jobs.claim(jobId, { device: deps.device.device });
    if (!claimed.ok) {
      const { status } = claimed.refused;
      if (status === null) log.info({ jobId }, 'job was deleted before it ran; skipping');
      else log.info({ jobId, status }, 'job is no longer waiting to run; skipping');
      return 'skipped';
    }
    // Outputs an earlier attempt staged (its worker died or stopped) are never committed now.
    const discarded = await discardStagedOutputs(deps.db, deps.media, jobId);
    if (discarded > 0) log.info({ jobId, discarded }, "removed an earlier attempt's staged outputs");
    if (claimed.job.cancelRequestedAt) controller.abort(new CancelledByUser());
    return await runClaimed(deps, plugin, claimed.job, controller, queueJob, token);
  } finally {
    deps.cancellation.unregister(jobId);
  }
}

async function runClaimed(
  deps: ProcessorDeps,
  plugin: Plugin,
  row: JobRow,
  controller: AbortController,
  queueJob: QueueJob<PluginJobData>,
  token: string | undefined,
): Promise<JobOutcome> {
  const { jobs, log } = deps;
  const jobId = row.id;
  const ctx = createRunContext(
    { ...deps, reportQueueProgress: (fraction) => queueJob.updateProgress(Math.round(fraction * 100)) },
    row,
    controller.signal,
  );
  const started = performance.now();
  const runRecord = (): RunRecord => ({
    metadata: { ...((row.metadata as Record<string, unknown> | null) ?? {}), ...ctx.metadata() },
    timings: {
      runMs: Math.round(performance.now() - started),
      waitedMs: Date.now() - row.createdAt.getTime(),
    },
    provider: ctx.providers().join('+') || null,
    attempt: row.attempts, // this run's claim: refused once another claim took the job
  });
  /** The row ended elsewhere meanwhile, so the table refused to record this run's `outcome`. */
  const superseded = (refused: JobTransitionError, outcome: string): JobOutcome => {
    log.warn({ jobId, status: refused.status }, `job ${outcome} but not recorded: ${refused.message}`);
    return 'superseded';
  };

  try {
    controller.signal.throwIfAborted(); // cancelled before it started
    log.info({ jobId, plugin: plugin.id }, 'job started');
    const input = plugin.input.parse(row.input);
    const missing = deps.modelStore.missingModels(plugin.models(input));
    if (missing) throw missing; // names every missing model and how to get it
    await plugin.run(ctx, input);
    await ctx.flush();
    // The outputs are committed with the status, or (refused) removed (docs/reliability.md §1).
    const succeeded = await jobs.succeed(jobId, runRecord(), { store: deps.media, staged: ctx.staged() });
    if (!succeeded.ok) return superseded(succeeded.refused, 'succeeded');
    log.info({ jobId }, 'job succeeded');
    return 'succeeded';
  } catch (error) {
    await ctx.flush();
    await discardRun(deps, jobId, ctx.staged());
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason instanceof CancelledByUser) {
      const cancelled = await jobs.cancel(jobId, { run: runRecord() });
      if (!cancelled.ok) return superseded(cancelled.refused, 'cancelled');
      log.info({ jobId }, 'job cancelled');
      return 'cancelled';
    }
    if (reason instanceof WorkerShutdown && token) {
      // Back to the queue without spending an attempt; another (or the restarted) worker runs it.
      const requeued = await jobs.requeue(jobId, runRecord());
      if (!requeued.ok) return superseded(requeued.refused, 'interrupted by shutdown');
      await queueJob.moveToDelayed(Date.now() + 1_000, token);
      log.warn({ jobId }, 'job interrupted by shutdown and re-queued');
      throw new DelayedError();
    }
    const err = error instanceof Error ? error : new Error(String(error));
    const failed = await jobs.fail(jobId, err, runRecord());
    if (failed.ok) log.error({ jobId, err }, 'job failed');
    else
      log.error(
        { jobId, err, status: failed.refused.status },
        `job failed but not recorded: ${failed.refused.message}`,
      );
    throw err;
  }
}

/**
 * Removes what a run that did not succeed staged. A failure here is logged, not thrown: the job's own
 * outcome matters more, and the next claim or the worker's start-up sweep removes the files.
 */
async function discardRun(deps: ProcessorDeps, jobId: string, staged: readonly { assetId: string }[]) {
  if (staged.length === 0) return;
  const ids = staged.map((o) => o.assetId);
  await discardStagedOutputs(deps.db, deps.media, jobId, ids).catch((error: unknown) =>
    deps.log.error(
      { jobId, err: error },
      'could not remove the staged outputs of a run that did not succeed',
    ),
  );
}
