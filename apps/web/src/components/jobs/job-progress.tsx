'use client';
import { Progress } from '@/components/ui/progress';
import { useNow } from '@/hooks/use-now';
import { estimateRemaining, formatDuration } from '@/lib/format';
import type { JobStatus } from './job-status-badge';

/** Progress bar, percentage, stage, elapsed time and an estimate of the time left. */
export function JobProgress({
  status,
  progress,
  stage,
  startedAt,
  finishedAt,
}: {
  status: JobStatus;
  progress: number;
  stage: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}) {
  const now = useNow(status === 'running');
  const elapsed = startedAt ? (finishedAt ?? new Date(now)).getTime() - startedAt.getTime() : null;
  const remaining = status === 'running' && elapsed !== null ? estimateRemaining(elapsed, progress) : null;
  const pct = Math.round(progress * 100);
  return (
    <div className="space-y-2">
      <div className="flex items-baseline justify-between gap-4 text-sm">
        <span className="min-w-0 truncate text-muted-foreground" data-testid="job-stage">
          {stage ?? (status === 'queued' ? 'In the queue' : '\u00a0')}
        </span>
        <span className="font-medium tabular-nums" data-testid="job-progress">
          {pct}%
        </span>
      </div>
      <Progress value={pct} aria-label="Job progress" />
      <div className="flex justify-between gap-4 text-xs text-muted-foreground tabular-nums">
        <span>{elapsed !== null ? `Elapsed ${formatDuration(elapsed)}` : '\u00a0'}</span>
        <span>{remaining !== null ? `About ${formatDuration(remaining)} left` : '\u00a0'}</span>
      </div>
    </div>
  );
}
