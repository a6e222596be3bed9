'use client';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Sparkles, Star } from 'lucide-react';
import Link from 'next/link';
import { type MouseEvent, useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { EmptyState, LoadError } from '@/components/ui/empty-state';
import { LoadMore } from '@/components/ui/load-more';
import { useTRPC } from '@/trpc/react';
import type { AssetSummary } from '@/trpc/types';
import { DeleteAssetsDialog } from './delete-assets-dialog';
import { assetTitle, GalleryCard } from './gallery-card';
import { filterToSearch, type GalleryFilter, type GalleryShow, NO_FILTER } from './gallery-filter';
import { GalleryFilters } from './gallery-filters';
import { GALLERY_GRID } from './gallery-grid-class';
import { GallerySkeleton } from './gallery-skeleton';
import { JobCards } from './job-cards';
import { SelectionBar } from './selection-bar';
import { downloadZip, useAssetActions } from './use-asset-actions';

/** What an empty filtered grid says, by what it shows. */
const NOTHING_SHOWN: Record<GalleryShow, { title: string; description: string }> = {
  all: { title: 'No results from this tool', description: 'Try another tool, or show everything.' },
  starred: { title: 'No starred results', description: 'Star a result to keep it here.' },
  motion: {
    title: 'No motion templates',
    description: 'Portrait animation saves one when you ask it to keep the driving motion.',
  },
};

/** The user's results, newest first, loaded a page at a time as they scroll; filter, star, select. */
export function GalleryGrid({
  createHref,
  plugins,
  initialFilter,
}: {
  createHref: string | null;
  plugins: { id: string; title: string }[];
  initialFilter: GalleryFilter;
}) {
  const trpc = useTRPC();
  const [filter, setFilter] = useState(initialFilter);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [toDelete, setToDelete] = useState<string[] | null>(null);
  const anchor = useRef<number | null>(null); // the last box clicked, where a shift-click range starts
  const { star, remove } = useAssetActions();
  const pluginTitles = useMemo(() => Object.fromEntries(plugins.map((p) => [p.id, p.title])), [plugins]);

  const query = useInfiniteQuery(
    trpc.assets.list.infiniteQueryOptions(
      {
        kind: filter.show === 'motion' ? 'motion' : 'output',
        // A job's result, not its side outputs (a face swap's saved mask stays on its job page).
        slot: filter.show === 'motion' ? undefined : 'result',
        starred: filter.show === 'starred' ? true : undefined,
        plugin: filter.plugin ?? undefined,
        limit: 30,
      },
      { getNextPageParam: (page) => page.nextCursor, enabled: filter.status === 'done' },
    ),
  );
  const items = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);

  const changeFilter = (next: GalleryFilter) => {
    setFilter(next);
    setSelected(new Set());
    anchor.current = null;
    // Next's router follows history.replaceState, so the URL keeps the filter without a reload.
    window.history.replaceState(null, '', `${window.location.pathname}${filterToSearch(next)}`);
  };

  const toggle = (index: number, event: MouseEvent) => {
    const id = items[index]?.id;
    if (!id) return;
    const on = !selected.has(id);
    const next = new Set(selected);
    const from = event.shiftKey && anchor.current !== null ? anchor.current : index;
    for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
      const other = items[i]?.id;
      if (other) on ? next.add(other) : next.delete(other);
    }
    anchor.current = index;
    setSelected(next);
  };

  const confirmDelete = () => {
    if (!toDelete) return;
    const ids = toDelete;
    remove.mutate(
      { ids },
      {
        onSuccess: () => setSelected((current) => new Set([...current].filter((id) => !ids.includes(id)))),
      },
    );
    setToDelete(null);
  };

  const filters = (
    <GalleryFilters
      value={filter}
      plugins={plugins}
      motion={plugins.some((p) => p.id === 'liveportrait')}
      onChange={changeFilter}
    />
  );

  if (filter.status !== 'done') {
    return (
      <JobCards
        filter={{ ...filter, status: filter.status }}
        filters={filters}
        pluginTitles={pluginTitles}
        onShowResults={() => changeFilter({ ...filter, status: 'done' })}
      />
    );
  }
  if (query.isPending) {
    return (
      <>
        {filters}
        <GallerySkeleton />
      </>
    );
  }
  if (query.isError) {
    return (
      <>
        {filters}
        <LoadError
          title="The gallery could not be loaded"
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      </>
    );
  }
  const filtered = filter.show !== 'all' || filter.plugin !== null;
  if (items.length === 0 && !filtered) {
    return (
      <EmptyState
        icon={Sparkles}
        title="Nothing here yet"
        description="Results of your jobs appear here. Start with a face swap, an animated portrait or a video."
        action={
          createHref ? (
            <Button asChild>
              <Link href={createHref}>Create something</Link>
            </Button>
          ) : null
        }
      />
    );
  }
  const selectedItems: AssetSummary[] = items.filter((a) => selected.has(a.id));
  return (
    <>
      {filters}
      {items.length === 0 ? (
        <EmptyState
          icon={filter.show === 'starred' ? Star : Sparkles}
          {...NOTHING_SHOWN[filter.show]}
          action={
            <Button variant="outline" onClick={() => changeFilter(NO_FILTER)}>
              Show everything
            </Button>
          }
        />
      ) : (
        <ul className={GALLERY_GRID} aria-label="Results">
          {items.map((asset, index) => (
            <GalleryCard
              key={asset.id}
              asset={asset}
              title={assetTitle(asset, pluginTitles)}
              pluginTitles={pluginTitles}
              selected={selected.has(asset.id)}
              selecting={selected.size > 0}
              onSelect={(event) => toggle(index, event)}
              onStar={() => star.mutate({ id: asset.id, starred: !asset.starred })}
              onDelete={() => setToDelete([asset.id])}
            />
          ))}
        </ul>
      )}
      <LoadMore query={query} watch={items.length} />
      {selected.size > 0 ? (
        <SelectionBar
          count={selected.size}
          allSelected={selected.size === items.length}
          onSelectAll={() => setSelected(new Set(items.map((a) => a.id)))}
          onClear={() => setSelected(new Set())}
          onDownload={() => downloadZip(selectedItems)}
          onDelete={() => setToDelete(selectedItems.map((a) => a.id))}
        />
      ) : null}
      <DeleteAssetsDialog
        count={toDelete?.length ?? null}
        onConfirm={confirmDelete}
        onClose={() => setToDelete(null)}
      />
    </>
  );
}
