import { PageSkeleton } from '@/components/shell/page-skeleton';
import { Skeleton } from '@/components/ui/skeleton';

export function JobViewSkeleton() {
  return (
    <PageSkeleton>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="space-y-6 rounded-xl border p-6">
          <Skeleton className="aspect-[4/3] w-full rounded-lg" />
          <Skeleton className="h-16 w-full" />
        </div>
        <Skeleton className="h-80 rounded-xl" />
      </div>
    </PageSkeleton>
  );
}
