'use client';
import { Download, ExternalLink, MoreHorizontal, Play, Star, Trash2 } from 'lucide-react';
import Link from 'next/link';
import type { MouseEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { formatClock } from '@/lib/format';
import { cn } from '@/lib/utils';
import type { AssetSummary } from '@/trpc/types';
import { CARD_INFO } from './gallery-grid-class';
import { isLiveRecording, LiveBadge, LiveCardInfo } from './live-provenance';
import { Thumbnail } from './thumbnail';
import { fileNameOf } from './use-asset-actions';

/** What a card calls the asset: the tool that made it, or what kind of file it is. */
export function assetTitle(asset: AssetSummary, pluginTitles: Record<string, string>) {
  if (asset.kind === 'motion') return 'Motion template';
  if (asset.job) return pluginTitles[asset.job.plugin] ?? asset.job.plugin;
  if (isLiveRecording(asset)) return 'Live recording';
  return asset.originalName ?? 'Upload';
}

/** One result: its thumbnail (opens the job that made it), a selection box, star and a menu. */
export function GalleryCard({
  asset,
  title,
  pluginTitles,
  selected,
  selecting,
  onSelect,
  onStar,
  onDelete,
}: {
  asset: AssetSummary;
  title: string;
  pluginTitles: Record<string, string>;
  selected: boolean;
  /** Something is selected: show every box, not only on hover. */
  selecting: boolean;
  onSelect(event: MouseEvent): void;
  onStar(): void;
  onDelete(): void;
}) {
  const video = asset.mime.startsWith('video/');
  const created = new Date(asset.createdAt);
  const when = created.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    // The year only when it is not this one: the info row is narrow.
    year: created.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  });
  const label = `${title}, ${video ? 'video' : 'image'} from ${when}`;
  const href = asset.job ? `/jobs/${asset.job.id}` : asset.url;
  const { live } = asset;
  return (
    <li className="group min-w-0" data-asset-id={asset.id}>
      <div
        className={cn(
          'relative aspect-square overflow-hidden rounded-lg border bg-muted',
          selected && 'ring-2 ring-primary ring-offset-2 ring-offset-background',
        )}
      >
        <Link
          href={href}
          aria-label={`Open ${label}`}
          className="block size-full focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-inset"
        >
          <Thumbnail
            src={asset.thumbnailUrl}
            className="transition-transform duration-300 group-hover:scale-105"
          />
        </Link>
        <Checkbox
          checked={selected}
          onClick={onSelect}
          aria-label={`Select ${label}`}
          className={cn(
            'absolute top-2 left-2 bg-background/90 transition-opacity',
            'opacity-0 group-hover:opacity-100 focus-visible:opacity-100 [@media(hover:none)]:opacity-100',
            (selected || selecting) && 'opacity-100',
          )}
        />
        {video ? (
          <span className="pointer-events-none absolute right-2 bottom-2 flex items-center gap-1 rounded-full bg-black/70 px-2 py-0.5 text-xs font-medium text-white tabular-nums">
            <Play className="size-3 fill-current" aria-hidden="true" />
            {asset.durationMs ? formatClock(asset.durationMs) : <span className="sr-only">Video</span>}
          </span>
        ) : null}
        {live ? <LiveBadge /> : null}
      </div>
      <div className={CARD_INFO}>
        {live ? (
          <LiveCardInfo live={live} when={when} pluginTitles={pluginTitles} />
        ) : (
          <div className="min-w-0 flex-1">
            <p className="truncate text-sm font-medium">{title}</p>
            <p className="truncate text-xs text-muted-foreground">{when}</p>
          </div>
        )}
        <Button
          variant="ghost"
          size="icon"
          className="size-7"
          aria-label="Star"
          aria-pressed={asset.starred}
          onClick={onStar}
        >
          <Star className={cn(asset.starred && 'fill-amber-400 text-amber-500')} aria-hidden="true" />
        </Button>
        {/* Not modal: a modal menu hides the page from screen readers while it stays focusable. */}
        <DropdownMenu modal={false}>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon" className="size-7" aria-label={`More actions for ${label}`}>
              <MoreHorizontal aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            {asset.job ? (
              <DropdownMenuItem asChild>
                <Link href={`/jobs/${asset.job.id}`}>
                  <ExternalLink aria-hidden="true" /> Open job
                </Link>
              </DropdownMenuItem>
            ) : null}
            <DropdownMenuItem asChild>
              <a href={asset.url} download={fileNameOf(asset)}>
                <Download aria-hidden="true" /> Download
              </a>
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            <DropdownMenuItem onSelect={onDelete} className="text-destructive focus:text-destructive">
              <Trash2 aria-hidden="true" className="text-destructive!" /> Delete…
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
    </li>
  );
}
