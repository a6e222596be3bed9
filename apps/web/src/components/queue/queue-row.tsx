'use client';
import { ChevronRight, X } from 'lucide-react';
import Link from 'next/link';
import { type JobStatus, JobStatusBadge } from '@/components/jobs/job-status-badge';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Progress } from '@/components/ui/progress';
import type { RouterOutputs } from '@/trpc/types';

export type QueueJob = RouterOutputs['jobs']['list']['items'][number];

const when = (date: Date) => date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One job: a link to its page (plugin, owner, stage, progress, status) and, for its owner, Cancel. */
export function QueueRow({
  job,
  pluginTitle,
  mine,
  cancelling,
  onCancel,
}: {
  job: QueueJob;
  pluginTitle: string;
  mine: boolean;
  /** The cancel was sent; a running job stops at the worker's next check. */
  cancelling: boolean;
  onCancel?: () => void;
}) {
  const status = job.status as JobStatus;
  const pct = Math.round(job.progress * 100);
  const detail = [
    mine ? null : `${job.owner.name}'s`,
    cancelling ? 'Cancelling…' : (job.stage ?? job.error),
    when(job.createdAt),
  ];
  return (
    <li className="flex min-h-16 items-center gap-2 pr-3 transition-colors hover:bg-accent/50">
      <Link
        href={`/jobs/${job.id}`}
        className="flex min-w-0 flex-1 items-center gap-4 self-stretch py-3 pl-4 focus-visible:bg-accent focus-visible:outline-none"
      >
        <div className="min-w-0 flex-1">
          <p className="truncate text-sm font-medium">{pluginTitle}</p>
          <p className="truncate text-xs text-muted-foreground">{detail.filter(Boolean).join(' · ')}</p>
          {status === 'running' ? (
            // Phones have no room beside the title: the bar goes under it.
            <Progress value={pct} className="mt-2 h-1 sm:hidden" aria-label={`Progress of ${pluginTitle}`} />
          ) : null}
        </div>
        {status === 'running' ? (
          <div className="hidden w-40 items-center gap-2 sm:flex">
            <Progress value={pct} aria-label={`Progress of ${pluginTitle}`} />
            <span className="w-9 text-right text-xs tabular-nums text-muted-foreground">{pct}%</span>
          </div>
        ) : null}
        <JobStatusBadge status={status} />
        <ChevronRight className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
      </Link>
      {onCancel ? (
        <ConfirmButton
          title={`Cancel this ${pluginTitle} job?`}
          description={
            status === 'running'
              ? 'The worker stops it at its next step; what it made so far is discarded.'
              : 'It leaves the queue and never runs.'
          }
          confirm="Cancel job"
          cancel="Keep it"
          onConfirm={onCancel}
        >
          <Button variant="ghost" size="sm" disabled={cancelling} aria-label={`Cancel ${pluginTitle} job`}>
            <X aria-hidden="true" />
            <span className="hidden sm:inline">Cancel</span>
          </Button>
        </ConfirmButton>
      ) : null}
    </li>
  );
}
