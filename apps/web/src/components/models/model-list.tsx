'use client';
import { useQuery } from '@tanstack/react-query';
import { Package, ServerOff } from 'lucide-react';
import { EmptyState, LoadError } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { useTRPC } from '@/trpc/react';
import { ModelCard } from './model-card';
import { workerLabel } from './model-state';

export function ModelListSkeleton() {
  return (
    <div className="space-y-4">
      <Skeleton className="h-6 w-40" />
      <div className="grid gap-4 md:grid-cols-2">
        {Array.from({ length: 4 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
          <Skeleton key={i} className="h-56 rounded-xl" />
        ))}
      </div>
    </div>
  );
}

/**
 * The model catalog as the connected workers report it, grouped by the plugin each model belongs
 * to: size, licence, install state on each worker, and (for admins) download and verify.
 */
export function ModelList({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.models.list.queryOptions());
  if (list.isPending) return <ModelListSkeleton />;
  if (list.isError) {
    return (
      <LoadError
        title="The models could not be listed"
        error={list.error}
        onRetry={() => void list.refetch()}
      />
    );
  }
  const { workers, groups, models } = list.data;
  if (workers.length === 0) {
    return (
      <EmptyState
        icon={ServerOff}
        title="No worker is connected"
        description={
          <>
            Models are installed by the workers, each into its own models folder. Start one (
            <code className="font-mono text-xs">npm start</code>, or{' '}
            <code className="font-mono text-xs">pnpm --filter @visage/worker start</code> on a GPU host) and
            its models show here.
          </>
        }
      />
    );
  }
  if (models.length === 0) return <EmptyState icon={Package} title="No models in the catalog" />;
  const names = workers.map(workerLabel).join(', ');
  return (
    <div className="space-y-10">
      <p className="-mt-4 text-sm text-muted-foreground" data-testid="model-workers">
        {workers.length === 1
          ? `Installed by worker ${names} into its models folder.`
          : `${workers.length} workers, each installing into its own models folder: ${names}.`}
      </p>
      {groups.map((group) => {
        const members = models.filter((m) => m.plugin === group.plugin);
        const installed = members.filter((m) => m.installed).length;
        return (
          <section key={group.plugin} aria-labelledby={`models-${group.plugin}`} className="space-y-4">
            <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
              <div>
                <h2 id={`models-${group.plugin}`} className="text-lg font-semibold">
                  {group.title}
                </h2>
                <p className="text-sm text-muted-foreground">{group.description}</p>
              </div>
              <p className="text-sm text-muted-foreground tabular-nums">
                {installed} of {members.length} installed{workers.length > 1 ? ' everywhere' : ''}
              </p>
            </div>
            <ul className="grid grid-cols-1 gap-4 md:grid-cols-2">
              {members.map((model) => (
                <li key={model.id}>
                  <ModelCard model={model} workers={workers} isAdmin={isAdmin} />
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
