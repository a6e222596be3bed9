// The status changes a job may make, as one table. A job is born `queued` (`create`); after that every
// write of the job repository is one of these actions, guarded in SQL by `status IN (from)`, so two
// writers racing (a late worker, the owner's cancel, BullMQ's stall check) cannot break the table:
// the loser's write is refused (docs/architecture.md §8.1).
import type { JobStatus } from '../generated/prisma/enums.ts';

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export const JOB_TRANSITIONS = {
  /** The API could not put the new job on its queue: no worker would ever run it. */
  enqueueFailed: { from: ['queued'], to: 'failed' },
  /** A worker takes the job; `running` too, so a crashed worker's job is taken over (§8.9). */
  claim: { from: ['queued', 'running'], to: 'running' },
  /** Progress, stage and preview of a running job. */
  progress: { from: ['running'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  fail: { from: ['running'], to: 'failed' },
  /** Before it started (the API took it off the queue) or stopped by its worker (§8.6). */
  cancel: { from: ['queued', 'running'], to: 'cancelled' },
  /** The owner asks to cancel a job a worker may hold: noted on the row, the status stays (§8.6). */
  requestCancel: { from: ['queued', 'running'], to: null },
  /** A worker shutdown interrupted it: back to the queue for another worker (§8.10). */
  requeue: { from: ['running'], to: 'queued' },
  /** BullMQ failed it without the processor recording an outcome (stalled too often, §8.8). */
  failFromQueue: { from: ['queued', 'running'], to: 'failed' },
} as const satisfies Record<string, { from: readonly JobStatus[]; to: JobStatus | null }>;

export type JobAction = keyof typeof JOB_TRANSITIONS;

/** The status `action` leads to from `status`, or undefined when the table refuses it. */
export function transitionTarget(action: JobAction, status: JobStatus): JobStatus | undefined {
  const { from, to } = JOB_TRANSITIONS[action];
  if (!(from as readonly JobStatus[]).includes(status)) return undefined;
  return to ?? status;
}
