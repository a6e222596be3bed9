// The one owner of a job row's state (Immich's repository shape): each method writes the row,
// guarded in SQL by the transition table, and publishes the job's event. The tRPC router and the
// worker call it; nothing else changes a job's status (docs/architecture.md §8.1).
import type { Redis } from 'ioredis';
import type { Db } from '../client.ts';
import { type Job, Prisma } from '../generated/prisma/client.ts';
import type { JobStatus } from '../generated/prisma/enums.ts';
import {
  discardStagedOutputs,
  type JobOutputs,
  placeStagedOutputs,
  releaseStagedFiles,
} from '../media/staged.ts';
import { jobEventFromRow, publishJobEvent } from './events.ts';
import { JOB_TRANSITIONS, type JobAction } from './transitions.ts';

export interface JobRepositoryDeps {
  db: Db;
  redis: Redis;
  redisPrefix: string;
}

export interface NewJob {
  ownerId: string;
  organizationId: string | null;
  plugin: string;
  /** The plugin's validated input. */
  input: Prisma.InputJsonValue;
  /** The assets the input names, linked to the job as inputs. */
  inputs: { assetId: string; slot: string; position: number }[];
  retryOfId?: string | null;
}

/** What a worker records however a run ends. */
export interface RunRecord {
  /** What the plugin recorded, plus the models it ran. */
  metadata: Record<string, unknown>;
  timings: { runMs: number; waitedMs: number };
  /** The execution providers the job's models ran on, e.g. "cuda" or "coreml+cpu". */
  provider: string | null;
  /**
   * The run's claim (the row's `attempts` after it): the write is refused when another claim took the
   * job since, e.g. after this worker lost its lock while still running (docs/reliability.md §1).
   */
  attempt?: number;
}

/** A write the transition table refused: the row was not in a state the action starts from. */
export class JobTransitionError extends Error {
  override name = 'JobTransitionError';
  constructor(
    readonly jobId: string,
    readonly action: JobAction,
    /** The row's status when it was refused; null when the row does not exist. */
    readonly status: JobStatus | null,
    /** Set when a run's write was refused because another claim took the job after this run's. */
    readonly detail: { claimedSince?: { attempt: number; now: number } } = {},
  ) {
    const { claimedSince } = detail;
    super(
      status === null
        ? `Job ${jobId} does not exist (${action} refused)`
        : claimedSince
          ? `Job ${jobId} was claimed again (attempt ${claimedSince.now}) after this run's claim (attempt ${claimedSince.attempt}): ${action} refused`
          : `Job ${jobId} is ${status}: ${action} is only allowed from ${JOB_TRANSITIONS[action].from.join(' or ')}`,
    );
  }
}

/** A job's row as the repository returns it. */
export type JobRow = Job;

export type Transition = { ok: true; job: Job } | { ok: false; refused: JobTransitionError };

export const INTERRUPTED_STAGE = 'interrupted by a worker shutdown; waiting for a worker';

export type JobRepository = ReturnType<typeof createJobRepository>;

export function createJobRepository({ db, redis, redisPrefix }: JobRepositoryDeps) {
  const announce = (job: Job) => publishJobEvent(redis, redisPrefix, jobEventFromRow(job));

  const refuse = async (jobId: string, action: JobAction, attempt?: number): Promise<Transition> => {
    const current = await db.job.findUnique({
      where: { id: jobId },
      select: { status: true, attempts: true },
    });
    const claimedSince = attempt !== undefined && current && current.attempts !== attempt;
    const refused = new JobTransitionError(jobId, action, current?.status ?? null, {
      claimedSince: claimedSince ? { attempt, now: current.attempts } : undefined,
    });
    return { ok: false, refused };
  };

  /** The guard of a write: the statuses the action starts from and, for a run's write, its claim. */
  const guard = (jobId: string, action: JobAction, attempt?: number): Prisma.JobWhereUniqueInput => ({
    id: jobId,
    status: { in: [...JOB_TRANSITIONS[action].from] },
    ...(attempt === undefined ? {} : { attempts: attempt }),
  });

  /** One conditional UPDATE … WHERE status IN (from) [AND attempts = attempt] RETURNING, then the event. */
  const transition = async (
    jobId: string,
    action: JobAction,
    data: Omit<Prisma.JobUpdateInput, 'status'>,
    attempt?: number,
  ): Promise<Transition> => {
    const { to } = JOB_TRANSITIONS[action];
    let job: Job;
    try {
      job = await db.job.update({
        where: guard(jobId, action, attempt),
        data: to === null ? data : { ...data, status: to },
      });
    } catch (error) {
      // P2025: no row matched, i.e. it is gone or in a status the action does not start from.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025')
        return refuse(jobId, action, attempt);
      throw error;
    }
    await announce(job);
    return { ok: true, job };
  };

  const recorded = (run: RunRecord) => ({
    metadata: run.metadata as Prisma.InputJsonValue,
    timings: run.timings,
    provider: run.provider,
  });

  const enqueueFailed = (jobId: string, error: unknown) =>
    transition(jobId, 'enqueueFailed', {
      error: `Could not queue the job: ${error instanceof Error ? error.message : String(error)}`,
      finishedAt: new Date(),
    });

  return {
    /**
     * Writes a `queued` row with its input links and hands it to `enqueue`. When enqueueing fails the
     * row goes to `failed` (a job is never left queued without a queue entry) and the error is
     * rethrown. Either way one event announces the state the job ends up in.
     */
    async create(job: NewJob, enqueue: (row: Job) => Promise<void>): Promise<Job> {
      const row = await db.job.create({
        data: {
          ownerId: job.ownerId,
          organizationId: job.organizationId,
          plugin: job.plugin,
          input: job.input,
          retryOfId: job.retryOfId ?? null,
          // A nested create makes Prisma wrap the insert in a transaction (three more round trips), so
          // only a job with inputs asks for one (docs/reliability.md §7).
          ...(job.inputs.length
            ? { assets: { create: job.inputs.map((link) => ({ ...link, role: 'input' as const })) } }
            : {}),
        },
      });
      try {
        await enqueue(row);
      } catch (error) {
        await enqueueFailed(row.id, error);
        throw error;
      }
      await announce(row);
      return row;
    },

    enqueueFailed,

    /** A worker takes the job (again, after a crash): `running`, one more attempt, errors cleared. */
    async claim(jobId: string, { device }: { device: string }): Promise<Transition> {
      const current = await db.job.findUnique({ where: { id: jobId }, select: { startedAt: true } });
      if (!current) return refuse(jobId, 'claim');
      return transition(jobId, 'claim', {
        startedAt: current.startedAt ?? new Date(), // kept from an earlier attempt
        attempts: { increment: 1 },
        device,
        stage: 'starting',
        error: null,
        errorStack: null,
      });
    },

    /** Progress of a running job; `preview` when a new preview file was written (bumps its version). */
    progress: (
      jobId: string,
      update: { fraction: number; stage: string; preview: boolean; attempt?: number },
    ) =>
      transition(
        jobId,
        'progress',
        {
          progress: update.fraction,
          stage: update.stage,
          ...(update.preview ? { previewVersion: { increment: 1 } } : {}),
        },
        update.attempt,
      ),

    /**
     * The run's staged outputs (if any) become Asset rows and output links in the same transaction
     * as the guarded `succeeded`: all or nothing. When the write is refused, no row is left and the
     * staged files (and anything placed from them) are removed; when it fails, no row is left and the
     * staged files stay for a retry (docs/reliability.md §1, §5).
     */
    async succeed(jobId: string, run: RunRecord, outputs?: JobOutputs): Promise<Transition> {
      const data = { ...recorded(run), progress: 1, stage: 'done', finishedAt: new Date() };
      if (!outputs?.staged.length) return transition(jobId, 'succeed', data, run.attempt);
      const { store, staged } = outputs;
      const { to } = JOB_TRANSITIONS.succeed;
      let job: Job;
      try {
        job = await db.$transaction(
          async (tx) => {
            const row = await tx.job.update({
              where: guard(jobId, 'succeed', run.attempt),
              data: { ...data, status: to ?? undefined },
            });
            await placeStagedOutputs(tx, store, row, staged);
            return row;
          },
          { timeout: 60_000 }, // file links under locks another commit may hold for a while
        );
      } catch (error) {
        // Any other error leaves the staged files: a retry of this write (the worker retries through a
        // database outage, §5) commits them, and a run that fails in the end removes them.
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025')) throw error;
        // Refused: nothing committed, and nothing will be. Remove the staged files and whatever the
        // transaction had placed.
        const ids = staged.map((o) => o.assetId);
        await discardStagedOutputs(db, store, jobId, ids).catch((cleanupError: unknown) => {
          throw new AggregateError(
            [error, cleanupError],
            `${(error as Error).message} (and removing the job's staged outputs failed: ${(cleanupError as Error).message})`,
          );
        });
        return refuse(jobId, 'succeed', run.attempt);
      }
      await releaseStagedFiles(staged);
      await announce(job);
      return { ok: true, job };
    },

    fail: (jobId: string, error: { message: string; stack?: string }, run: RunRecord) =>
      transition(
        jobId,
        'fail',
        { ...recorded(run), error: error.message, errorStack: error.stack ?? null, finishedAt: new Date() },
        run.attempt,
      ),

    /** Cancelled before it started (`stage` says so) or stopped by its worker (with its run record). */
    cancel: (jobId: string, { stage = 'cancelled', run }: { stage?: string; run?: RunRecord } = {}) =>
      transition(
        jobId,
        'cancel',
        { ...(run ? recorded(run) : {}), stage, finishedAt: new Date() },
        run?.attempt,
      ),

    /** Notes the owner's cancel on the row, for a worker that takes the job after the message went by. */
    requestCancel: (jobId: string) => transition(jobId, 'requestCancel', { cancelRequestedAt: new Date() }),

    requeue: (jobId: string, run: RunRecord) =>
      transition(jobId, 'requeue', { ...recorded(run), stage: INTERRUPTED_STAGE }, run.attempt),

    failFromQueue: (jobId: string, message: string) =>
      transition(jobId, 'failFromQueue', { error: message, finishedAt: new Date() }),
  };
}
