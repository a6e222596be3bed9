import type { ReactNode } from 'react';
import { humanize } from '@/lib/form-fields';
import { formatDuration } from '@/lib/format';
import type { JobDetail } from '@/trpc/types';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between gap-4 py-2 text-sm">
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="min-w-0 truncate text-right">{children}</dd>
    </div>
  );
}

const time = (d: Date | null) => (d ? d.toLocaleTimeString() : '—');

/** The options it ran with (asset fields are shown as inputs instead), timings and where it ran. */
export function JobDetails({ job }: { job: JobDetail }) {
  const inputSlots = new Set(job.assets.filter((a) => a.role === 'input').map((a) => a.slot));
  const options = Object.entries((job.input ?? {}) as Record<string, unknown>).filter(
    ([name]) => !inputSlots.has(name),
  );
  const timings = (job.timings ?? {}) as { waitedMs?: number; runMs?: number };
  const optionRows = options.map(([name, value]) => (
    <Row key={name} label={humanize(name)}>
      {typeof value === 'object' ? JSON.stringify(value) : String(value)}
    </Row>
  ));
  return (
    <div className="space-y-2">
      {/* A face swap has some twenty settings: folded, they would bury the timings and models. */}
      {options.length > 6 ? (
        <details className="text-sm">
          <summary className="cursor-pointer py-2 text-muted-foreground">Settings ({options.length})</summary>
          <dl className="divide-y">{optionRows}</dl>
        </details>
      ) : null}
      <dl className="divide-y">
        {options.length > 6 ? null : optionRows}
        <Row label="Started">{time(job.startedAt)}</Row>
        <Row label="Finished">{time(job.finishedAt)}</Row>
        {typeof timings.waitedMs === 'number' && typeof timings.runMs === 'number' ? (
          <Row label="Waited">{formatDuration(Math.max(0, timings.waitedMs - timings.runMs))}</Row>
        ) : null}
        <Row label="Ran on">{job.provider ?? job.device ?? '—'}</Row>
        <Row label="Attempts">{job.attempts}</Row>
      </dl>
    </div>
  );
}
