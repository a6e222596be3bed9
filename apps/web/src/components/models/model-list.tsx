'use client';
import { useQuery } from '@tanstack/react-query';
import { Package } from 'lucide-react';
import { EmptyState, LoadError } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import { useTRPC } from '@/trpc/react';
import { ModelCard } from './model-card';
import { type CatalogModel, PLUGIN_GROUPS } from './model-state';

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

/** The model catalog by plugin: size, licence, install state, and (for admins) download and verify. */
export function ModelList({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const models = useQuery(trpc.models.list.queryOptions());
  if (models.isPending) return <ModelListSkeleton />;
  if (models.isError) {
    return (
      <LoadError
        title="The models could not be listed"
        error={models.error}
        onRetry={() => void models.refetch()}
      />
    );
  }
  if (models.data.length === 0) {
    return <EmptyState icon={Package} title="No models in the catalog" />;
  }
  return (
    <div className="space-y-10">
      {PLUGIN_GROUPS.map((group) => {
        const members = models.data.filter((m: CatalogModel) => m.plugin === group.plugin);
        if (members.length === 0) return null;
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
                {installed} of {members.length} installed
              </p>
            </div>
            <ul className="grid grid-cols-1 gap-4 md:grid-cols-2">
              {members.map((model) => (
                <li key={model.id}>
                  <ModelCard model={model} isAdmin={isAdmin} />
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
