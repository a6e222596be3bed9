import { Skeleton } from '@/components/ui/skeleton';
import { CARD_INFO, FILTER_ROW, GALLERY_GRID } from './gallery-grid-class';

/** The grid's exact shape (square thumbnail and info row per card), so nothing moves when it loads. */
export function GallerySkeleton({ count = 10 }: { count?: number }) {
  return (
    <div className={GALLERY_GRID}>
      {Array.from({ length: count }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
        <div key={i}>
          <Skeleton className="aspect-square rounded-lg" />
          <div className={CARD_INFO}>
            <div className="flex-1 space-y-1.5">
              <Skeleton className="h-3.5 w-2/3" />
              <Skeleton className="h-3 w-1/2" />
            </div>
          </div>
        </div>
      ))}
    </div>
  );
}

/** The page while it loads: the filter row's place, then the grid. */
export function GalleryPageSkeleton() {
  return (
    <>
      <div className={FILTER_ROW}>
        <Skeleton className="h-9 w-36" />
        <Skeleton className="h-9 w-64" />
        <Skeleton className="h-9 w-44" />
      </div>
      <GallerySkeleton />
    </>
  );
}
