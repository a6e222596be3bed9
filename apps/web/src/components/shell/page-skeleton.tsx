import type { ReactNode } from 'react';
import { Skeleton } from '@/components/ui/skeleton';

/** The title row's placeholder, the same height as PageHeader. */
export function PageHeaderSkeleton() {
  return (
    <div className="mb-6 space-y-1 sm:mb-8">
      <Skeleton className="h-8 w-48" />
      <Skeleton className="h-5 w-72 max-w-full" />
    </div>
  );
}

export function PageSkeleton({ children }: { children: ReactNode }) {
  return (
    <div role="status" aria-label="Loading">
      <PageHeaderSkeleton />
      {children}
    </div>
  );
}
