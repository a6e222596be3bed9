import { PageSkeleton } from '@/components/shell/page-skeleton';
import { Skeleton } from '@/components/ui/skeleton';

export default function Loading() {
  return (
    <PageSkeleton>
      <div className="grid max-w-5xl gap-6 lg:grid-cols-[11rem_minmax(0,1fr)] lg:gap-10">
        <Skeleton className="h-8 lg:h-32" />
        <div className="grid gap-6">
          <Skeleton className="h-40 rounded-xl" />
          <Skeleton className="h-40 rounded-xl" />
          <Skeleton className="h-32 rounded-xl" />
        </div>
      </div>
    </PageSkeleton>
  );
}
