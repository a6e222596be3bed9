import { Progress } from '@/components/ui/progress';
import { formatDuration } from '@/lib/format';
import { formatBytes } from '@/lib/upload';
import type { PullView } from './use-pull-progress';

/** "12 MB of 529 MB · 2.3% · 4.1 MB/s · about 2 min left", with the bar under it. */
export function DownloadProgress({ title, view }: { title: string; view: PullView }) {
  const { received, total, message } = view.progress;
  const pct = total ? Math.min(100, (received / total) * 100) : 0;
  const facts = [
    total ? `${formatBytes(received)} of ${formatBytes(total)}` : formatBytes(received),
    total ? `${pct.toFixed(pct < 10 ? 1 : 0)}%` : null,
    view.speed !== null ? `${formatBytes(view.speed)}/s` : null,
    view.etaSeconds !== null ? `about ${formatDuration(view.etaSeconds * 1000)} left` : null,
  ];
  return (
    <div className="min-w-0 flex-1 space-y-1.5">
      <p className="truncate text-xs text-muted-foreground tabular-nums" data-testid="pull-facts">
        {message ?? facts.filter(Boolean).join(' · ')}
      </p>
      <Progress value={Math.round(pct * 10) / 10} aria-label={`Download of ${title}`} />
    </div>
  );
}
