import { QueueSkeleton } from '@/components/queue/queue-list';
import { PageSkeleton } from '@/components/shell/page-skeleton';

export default function Loading() {
  return (
    <PageSkeleton>
      <QueueSkeleton />
    </PageSkeleton>
  );
}
