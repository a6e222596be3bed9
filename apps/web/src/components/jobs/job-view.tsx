'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { mediaUrl } from '@visage/api/urls';
import { AlertTriangle, SearchX } from 'lucide-react';
import Link from 'next/link';
import { useRef } from 'react';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { downloadName } from '@/lib/bulk';
import { useTRPC } from '@/trpc/react';
import type { JobDetail } from '@/trpc/types';
import { JobActions } from './job-actions';
import { JobDetails } from './job-details';
import { JobFiles } from './job-files';
import { isVideo, JobMedia } from './job-media';
import { JobMetadata } from './job-metadata';
import { JobProgress } from './job-progress';
import { isTerminal, type JobStatus, JobStatusBadge } from './job-status-badge';
import { JobViewSkeleton } from './job-view-skeleton';
import { MaskView } from './mask-overlay';

/** A job as it runs: status, progress and preview arrive over SSE; the details refresh on each status change. */
export function JobView({ id, pluginTitles }: { id: string; pluginTitles: Record<string, string> }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const job = useQuery(trpc.jobs.get.queryOptions({ id }));
  const lastStatus = useRef<string | null>(null);

  const live = useSubscription(
    trpc.jobs.onUpdate.subscriptionOptions(
      { id },
      {
        enabled: job.isSuccess && !isTerminal(job.data.status),
        onData: ({ data }) => {
          // Timestamps, outputs and errors come with the job row: reload it when the status moves.
          if (lastStatus.current !== data.status) {
            lastStatus.current = data.status;
            void queryClient.invalidateQueries({ queryKey: trpc.jobs.get.queryKey({ id }) });
          }
        },
      },
    ),
  );

  if (job.isPending) return <JobViewSkeleton />;
  if (job.isError) {
    const missing = job.error.data?.code === 'NOT_FOUND';
    return (
      <EmptyState
        tone={missing ? 'default' : 'error'}
        icon={missing ? SearchX : AlertTriangle}
        title={missing ? 'Job not found' : 'The job could not be loaded'}
        description={missing ? 'It may have been deleted, or it belongs to someone else.' : job.error.message}
        action={
          <Button asChild variant="outline">
            <Link href="/queue">Go to the queue</Link>
          </Button>
        }
      />
    );
  }

  const row: JobDetail = job.data;
  const event = live.data?.data;
  // The live event is newer than the row unless the row already reached its end.
  const fresh = event && !isTerminal(row.status) ? event : null;
  const status = (fresh?.status ?? row.status) as JobStatus;
  const progress = fresh?.progress ?? row.progress;
  const stage = fresh?.stage ?? row.stage;
  const previewUrl =
    fresh?.previewUrl ??
    (row.previewVersion > 0 ? `/api/jobs/${row.id}/preview?v=${row.previewVersion}` : null);
  const outputs = row.assets.filter((a) => a.role === 'output');
  const inputs = row.assets.filter((a) => a.role === 'input');
  const output = (outputs.find((a) => a.slot === 'result') ?? outputs[0])?.asset;
  // A face swap of an image is best judged against the original: show them on one slider.
  const target = inputs.find((a) => a.slot === 'target')?.asset;
  const before =
    row.plugin === 'faceswap' && output && !isVideo(output) && target && !isVideo(target)
      ? target
      : undefined;
  const title = pluginTitles[row.plugin] ?? row.plugin;
  // The face swap's debug mask (saveMask), shown over or beside the result; still listed with the outputs.
  const mask = outputs.find((a) => a.slot === 'mask')?.asset;
  const media = <JobMedia status={status} output={output} before={before} previewUrl={previewUrl} />;

  return (
    <>
      <PageHeader
        title={
          <span className="flex flex-wrap items-center gap-3">
            {title} job <JobStatusBadge status={status} />
          </span>
        }
        description={`Created ${row.createdAt.toLocaleString()}`}
        actions={
          <JobActions
            id={id}
            status={status}
            download={
              output
                ? { href: mediaUrl(output.id), name: downloadName({ ...output, plugin: row.plugin }) }
                : null
            }
          />
        }
      />
      <p className="sr-only" aria-live="polite">
        Job {status}
      </p>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem] lg:items-start">
        <Card>
          <CardContent className="space-y-6">
            {status === 'failed' && (fresh?.error ?? row.error) ? (
              <div
                role="alert"
                className="rounded-lg border border-destructive/40 bg-destructive/10 p-4 text-sm"
              >
                <p className="font-medium text-destructive">The job failed</p>
                <p className="mt-1 break-words">{fresh?.error ?? row.error}</p>
                {row.errorStack ? (
                  <details className="mt-3">
                    <summary className="cursor-pointer text-xs text-muted-foreground">Stack trace</summary>
                    <pre className="mt-2 max-h-64 overflow-auto rounded bg-muted p-3 text-xs">
                      {row.errorStack}
                    </pre>
                  </details>
                ) : null}
              </div>
            ) : null}
            {output && mask && mask.id !== output.id ? (
              <MaskView result={output} mask={mask}>
                {media}
              </MaskView>
            ) : (
              media
            )}
            <JobProgress
              status={status}
              progress={progress}
              stage={stage}
              startedAt={row.startedAt}
              finishedAt={row.finishedAt}
            />
            {outputs.length > 0 ? (
              <section aria-label="Outputs" className="space-y-2">
                <h2 className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
                  Outputs
                </h2>
                <JobFiles files={outputs} plugin={row.plugin} />
              </section>
            ) : null}
          </CardContent>
        </Card>
        <div className="space-y-6">
          {inputs.length > 0 ? (
            <Card>
              <CardHeader>
                <CardTitle>Inputs</CardTitle>
              </CardHeader>
              <CardContent>
                <JobFiles files={inputs} plugin={row.plugin} />
              </CardContent>
            </Card>
          ) : null}
          <Card>
            <CardHeader>
              <CardTitle>Details</CardTitle>
            </CardHeader>
            <CardContent className="space-y-6">
              <JobDetails job={row} />
              <JobMetadata metadata={row.metadata} />
            </CardContent>
          </Card>
        </div>
      </div>
    </>
  );
}
