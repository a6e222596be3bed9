// The race behind a gallery test that failed on CI: Starred opened while the star was being saved
// fetched before the save committed, and the list stayed empty. A write's settle must refetch lists
// whose first fetch is still in flight, not only lists that already have data.
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refetchAfterWrite } from '../src/lib/refetch-after-write.ts';

/** A "database" row and a list query reading it: each read sees the row as it is when it starts. */
function setup() {
  const db = { starred: [] as string[] };
  const reads: { started: string[]; finish: () => void }[] = [];
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 10_000 } } });
  const queryKey = ['assets', 'list', { starred: true }];
  const observer = new QueryObserver(client, {
    queryKey,
    queryFn: () =>
      new Promise<string[]>((resolve) => {
        const started = [...db.starred];
        reads.push({ started, finish: () => resolve(started) });
      }),
  });
  const unsubscribe = observer.subscribe(() => undefined); // an open page: the query is active
  return { db, reads, client, queryKey, observer, unsubscribe };
}

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('refetchAfterWrite', () => {
  it('should replace a first fetch that read before the write with one that reads after it', async () => {
    const { db, reads, client, queryKey, observer, unsubscribe } = setup();
    cleanup = unsubscribe;
    expect(reads).toHaveLength(1); // Starred opened: its first read starts while the star is saving
    db.starred.push('a'); // the star commits
    const settled = refetchAfterWrite(client, queryKey); // the mutation settles
    await Promise.resolve();
    reads[0]?.finish(); // the stale read answers late
    await vi.waitFor(() => expect(reads).toHaveLength(2));
    reads[1]?.finish();
    await settled;
    expect(reads.map((r) => r.started)).toEqual([[], ['a']]);
    expect(observer.getCurrentResult().data).toEqual(['a']);
  });

  it('should refetch a list that already had data', async () => {
    const { db, reads, client, queryKey, observer, unsubscribe } = setup();
    cleanup = unsubscribe;
    reads[0]?.finish();
    await vi.waitFor(() => expect(observer.getCurrentResult().isSuccess).toBe(true));
    db.starred.push('b');
    const settled = refetchAfterWrite(client, queryKey);
    await vi.waitFor(() => expect(reads).toHaveLength(2));
    reads[1]?.finish();
    await settled;
    expect(observer.getCurrentResult().data).toEqual(['b']);
  });
});
