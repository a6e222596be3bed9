'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ListOrdered } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { EmptyState, LoadError } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { refetchAfterWrite } from '@/lib/refetch-after-write';
import { useTRPC } from '@/trpc/react';
import { QueueRow } from './queue-row';

const ACTIVE = ['running', 'queued'] as const;
const FINISHED = ['succeeded', 'failed', 'cancelled'] as const;

export function QueueSkeleton() {
  return (
    <div className="space-y-3">
      <Skeleton className="h-6 w-32" />
      <div className="divide-y rounded-xl border">
        {Array.from({ length: 4 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
          <div key={i} className="flex h-16 items-center px-4">
            <Skeleton className="h-5 flex-1" />
          </div>
        ))}
      </div>
    </div>
  );
}

/**
 * Running and queued jobs of the user and their teams, polled (every 1.5 s while any is active,
 * else every 5 s so jobs started elsewhere show up), then the last few that finished (refetched
 * whenever the active set changes).
 */
export function QueueList({
  pluginTitles,
  userId,
}: {
  pluginTitles: Record<string, string>;
  userId: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [cancelling, setCancelling] = useState<ReadonlySet<string>>(new Set());
  const active = useQuery({
    ...trpc.jobs.list.queryOptions({ status: [...ACTIVE], limit: 100 }),
    refetchInterval: (q) => ((q.state.data?.items.length ?? 0) > 0 ? 1500 : 5000),
  });
  const finished = useQuery(trpc.jobs.list.queryOptions({ status: [...FINISHED], limit: 10 }));
  // A job leaving the active list has just finished: show it below at once, not at the next poll.
  const activeIds = active.data?.items.map((j) => j.id).join() ?? '';
  const refetchFinished = finished.refetch;
  // biome-ignore lint/correctness/useExhaustiveDependencies: activeIds is the trigger, not an input
  useEffect(() => {
    void refetchFinished();
  }, [activeIds, refetchFinished]);
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onMutate: ({ id }) => setCancelling((s) => new Set(s).add(id)),
      onSuccess: ({ status }) =>
        toast.success(status === 'cancelled' ? 'Job cancelled' : 'Cancelling the job…'),
      onError: (error, { id }) => {
        toast.error(error.message);
        setCancelling((s) => new Set([...s].filter((x) => x !== id)));
      },
      onSettled: () => refetchAfterWrite(queryClient, trpc.jobs.list.pathKey()),
    }),
  );

  if (active.isPending) return <QueueSkeleton />;
  if (active.isError) {
    return (
      <LoadError
        title="The queue could not be loaded"
        error={active.error}
        onRetry={() => void active.refetch()}
      />
    );
  }
  const firstPlugin = Object.keys(pluginTitles)[0];
  const title = (plugin: string) => pluginTitles[plugin] ?? plugin;
  return (
    <div className="space-y-10">
      <section aria-labelledby="queue-active" className="space-y-3">
        <h2 id="queue-active" className="text-lg font-semibold">
          Running and queued
        </h2>
        {active.data.items.length === 0 ? (
          <EmptyState
            icon={ListOrdered}
            title="Nothing is running"
            description="Jobs you or your teams start wait here until a worker takes them, with their progress."
            action={
              firstPlugin ? (
                <Button asChild variant="outline">
                  <Link href={`/create/${firstPlugin}`}>Start a job</Link>
                </Button>
              ) : null
            }
          />
        ) : (
          <ul
            className="divide-y overflow-hidden rounded-xl border bg-card"
            aria-label="Running and queued jobs"
          >
            {active.data.items.map((job) => (
              <QueueRow
                key={job.id}
                job={job}
                pluginTitle={title(job.plugin)}
                mine={job.ownerId === userId}
                cancelling={cancelling.has(job.id)}
                onCancel={job.ownerId === userId ? () => cancel.mutate({ id: job.id }) : undefined}
              />
            ))}
          </ul>
        )}
      </section>
      {finished.data && finished.data.items.length > 0 ? (
        <section aria-labelledby="queue-finished" className="space-y-3">
          <h2 id="queue-finished" className="text-lg font-semibold">
            Recently finished
          </h2>
          <ul
            className="divide-y overflow-hidden rounded-xl border bg-card"
            aria-label="Recently finished jobs"
          >
            {finished.data.items.map((job) => (
              <QueueRow
                key={job.id}
                job={job}
                pluginTitle={title(job.plugin)}
                mine={job.ownerId === userId}
                cancelling={false}
              />
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
