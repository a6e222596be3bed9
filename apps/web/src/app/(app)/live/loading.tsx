import { PageSkeleton } from '@/components/shell/page-skeleton';
import { Skeleton } from '@/components/ui/skeleton';

export default function Loading() {
  return (
    <PageSkeleton>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="space-y-4">
          <Skeleton className="aspect-[4/3] rounded-lg sm:aspect-[8/3]" />
          <Skeleton className="h-9 w-72 rounded-md" />
        </div>
        <Skeleton className="h-96 rounded-xl" />
      </div>
    </PageSkeleton>
  );
}
