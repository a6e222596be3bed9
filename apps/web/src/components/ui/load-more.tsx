'use client';
import { useSentinel } from '@/hooks/use-sentinel';
import { Button } from './button';
import { Spinner } from './spinner';

interface PagedQuery {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): Promise<unknown>;
}

/**
 * The end of a paged list: scrolling near it loads the next page; the button is there for keyboards
 * and slow observers. `watch` (the item count) re-arms it after each page. Nothing when all is loaded.
 */
export function LoadMore({ query, watch }: { query: PagedQuery; watch: number }) {
  const load = () => {
    if (query.hasNextPage && !query.isFetchingNextPage) void query.fetchNextPage();
  };
  const sentinel = useSentinel<HTMLDivElement>(load, { enabled: query.hasNextPage, watch });
  if (!query.hasNextPage) return null;
  return (
    <div ref={sentinel} className="mt-6 flex justify-center">
      <Button variant="outline" onClick={load} disabled={query.isFetchingNextPage}>
        {query.isFetchingNextPage ? <Spinner /> : null}
        Load more
      </Button>
    </div>
  );
}
