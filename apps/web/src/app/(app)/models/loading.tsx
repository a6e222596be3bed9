import { ModelListSkeleton } from '@/components/models/model-list';
import { PageSkeleton } from '@/components/shell/page-skeleton';

export default function Loading() {
  return (
    <PageSkeleton>
      <ModelListSkeleton />
    </PageSkeleton>
  );
}
