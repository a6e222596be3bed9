import { GalleryPageSkeleton } from '@/components/gallery/gallery-skeleton';
import { PageSkeleton } from '@/components/shell/page-skeleton';

export default function Loading() {
  return (
    <PageSkeleton>
      <GalleryPageSkeleton />
    </PageSkeleton>
  );
}
