'use client';
// The gallery's job view (status filter other than "Results"): jobs in progress, failed or cancelled,
// as cards with the picture they started from, so a failure is found where its result would be.
import { useInfiniteQuery } from '@tanstack/react-query';
import { ListChecks } from 'lucide-react';
import Link from 'next/link';
import { type ReactNode, useMemo } from 'react';
import { type JobStatus, JobStatusBadge } from '@/components/jobs/job-status-badge';
import { Button } from '@/components/ui/button';
import { EmptyState, LoadError } from '@/components/ui/empty-state';
import { LoadMore } from '@/components/ui/load-more';
import { Progress } from '@/components/ui/progress';
import { useTRPC } from '@/trpc/react';
import type { RouterOutputs } from '@/trpc/types';
import { type GalleryFilter, type GalleryStatus, JOB_STATUSES_FOR } from './gallery-filter';
import { GALLERY_GRID } from './gallery-grid-class';
import { GallerySkeleton } from './gallery-skeleton';
import { Thumbnail } from './thumbnail';

type ListedJob = RouterOutputs['jobs']['list']['items'][number];

const EMPTY: Record<Exclude<GalleryStatus, 'done'>, { title: string; description: string }> = {
  active: { title: 'Nothing is running', description: 'Jobs you start show here until they finish.' },
  failed: { title: 'No failed jobs', description: 'Jobs that end with an error show here, with the reason.' },
  cancelled: { title: 'No cancelled jobs', description: 'Jobs you cancel show here.' },
};

function JobCard({ job, title }: { job: ListedJob; title: string }) {
  const status = job.status as JobStatus;
  const when = new Date(job.createdAt).toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
  const detail = status === 'failed' ? job.error : job.stage;
  return (
    <li className="min-w-0" data-job-id={job.id}>
      <Link
        href={`/jobs/${job.id}`}
        className="group block rounded-lg focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
      >
        <div className="relative aspect-square overflow-hidden rounded-lg border bg-muted">
          <Thumbnail src={job.coverUrl} className="opacity-60 transition-opacity group-hover:opacity-80" />
          {/* A solid backing: the badge's tint alone is not legible over a photo. */}
          <span className="absolute top-2 left-2 rounded-full bg-background">
            <JobStatusBadge status={status} />
          </span>
          {detail ? (
            <p
              className="absolute inset-x-0 bottom-0 line-clamp-3 bg-background/90 p-2 text-xs"
              data-testid="job-card-detail"
            >
              {detail}
            </p>
          ) : null}
        </div>
        <div className="flex h-12 flex-col justify-center">
          <p className="truncate text-sm font-medium">{title}</p>
          {status === 'running' ? (
            <Progress
              value={Math.round(job.progress * 100)}
              className="mt-1.5 h-1"
              aria-label={`Progress of ${title}`}
            />
          ) : (
            <p className="truncate text-xs text-muted-foreground">{when}</p>
          )}
        </div>
      </Link>
    </li>
  );
}

/** Jobs of the filter's status (and tool), newest first, a page at a time; live while some run. */
export function JobCards({
  filter,
  filters,
  pluginTitles,
  onShowResults,
}: {
  filter: GalleryFilter & { status: Exclude<GalleryStatus, 'done'> };
  /** The filter row, drawn above whatever this shows. */
  filters: ReactNode;
  pluginTitles: Record<string, string>;
  onShowResults(): void;
}) {
  const trpc = useTRPC();
  const query = useInfiniteQuery({
    ...trpc.jobs.list.infiniteQueryOptions(
      { status: [...JOB_STATUSES_FOR[filter.status]], plugin: filter.plugin ?? undefined, limit: 30 },
      { getNextPageParam: (page) => page.nextCursor },
    ),
    refetchInterval: filter.status === 'active' ? 2000 : false,
  });
  const jobs = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);

  let body: ReactNode;
  if (query.isPending) body = <GallerySkeleton />;
  else if (query.isError) {
    body = (
      <LoadError
        title="The jobs could not be loaded"
        error={query.error}
        onRetry={() => void query.refetch()}
      />
    );
  } else if (jobs.length === 0) {
    body = (
      <EmptyState
        icon={ListChecks}
        {...EMPTY[filter.status]}
        action={
          <Button variant="outline" onClick={onShowResults}>
            Show results
          </Button>
        }
      />
    );
  } else {
    body = (
      <ul className={GALLERY_GRID} aria-label="Jobs">
        {jobs.map((job) => (
          <JobCard key={job.id} job={job} title={pluginTitles[job.plugin] ?? job.plugin} />
        ))}
      </ul>
    );
  }
  return (
    <>
      {filters}
      {body}
      <LoadMore query={query} watch={jobs.length} />
    </>
  );
}
