import type { QueryClient, QueryKey } from '@tanstack/react-query';

/**
 * Refetches every query under `queryKey` once a write has settled, from reads that start after it.
 *
 * invalidateQueries alone is not enough: a query that has no data yet and is already fetching (a
 * filter opened while the write was under way, e.g. Starred just after a star) keeps that fetch,
 * which may have read the database before the write committed, and would then show stale results
 * until something else refetched it. Cancelling first drops such reads; the refetch replaces them.
 */
export async function refetchAfterWrite(queryClient: QueryClient, queryKey: QueryKey): Promise<void> {
  await queryClient.cancelQueries({ queryKey });
  await queryClient.invalidateQueries({ queryKey });
}
