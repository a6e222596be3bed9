'use client';
import { useQuery } from '@tanstack/react-query';
import { Check, ImageOff, Library } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';
import { EmptyState } from '@/components/ui/empty-state';
import { Skeleton } from '@/components/ui/skeleton';
import type { MediaKind } from '@/lib/form-fields';
import { cn } from '@/lib/utils';
import { useTRPC } from '@/trpc/react';

export interface PickedAsset {
  id: string;
  name: string;
  thumbnailUrl: string | null;
  mime: string;
}

/** Earlier uploads of the accepted kinds, to reuse as an input without uploading again. */
export function LibraryPicker({
  open,
  onOpenChange,
  accept,
  multiple,
  max,
  onPick,
}: {
  open: boolean;
  onOpenChange(open: boolean): void;
  accept: readonly MediaKind[];
  multiple: boolean;
  max: number;
  onPick(assets: PickedAsset[]): void;
}) {
  const trpc = useTRPC();
  const query = useQuery({ ...trpc.assets.list.queryOptions({ kind: 'upload', limit: 60 }), enabled: open });
  const [selected, setSelected] = useState<string[]>([]);
  const items = (query.data?.items ?? []).filter((a) => accept.some((k) => a.mime.startsWith(`${k}/`)));

  function toggle(id: string) {
    setSelected((s) =>
      s.includes(id) ? s.filter((x) => x !== id) : multiple ? [...s, id].slice(-max) : [id],
    );
  }

  function confirm() {
    onPick(
      items
        .filter((a) => selected.includes(a.id))
        .map((a) => ({
          id: a.id,
          name: a.originalName ?? 'Upload',
          thumbnailUrl: a.thumbnailUrl,
          mime: a.mime,
        })),
    );
    setSelected([]);
    onOpenChange(false);
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>Pick from your library</DialogTitle>
          <DialogDescription>
            {multiple ? `Choose up to ${max} earlier uploads.` : 'Choose an earlier upload.'}
          </DialogDescription>
        </DialogHeader>
        {query.isPending ? (
          <div className="grid grid-cols-3 gap-3 sm:grid-cols-4">
            {Array.from({ length: 8 }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: placeholders have no identity
              <Skeleton key={i} className="aspect-square rounded-lg" />
            ))}
          </div>
        ) : items.length === 0 ? (
          <EmptyState
            icon={Library}
            title="No uploads yet"
            description="Files you upload appear here for reuse."
          />
        ) : (
          <ul className="grid max-h-[55vh] grid-cols-3 gap-3 overflow-y-auto p-1 sm:grid-cols-4">
            {items.map((asset) => {
              const chosen = selected.includes(asset.id);
              return (
                <li key={asset.id}>
                  <button
                    type="button"
                    aria-pressed={chosen}
                    aria-label={asset.originalName ?? 'Upload'}
                    onClick={() => toggle(asset.id)}
                    className={cn(
                      'relative block aspect-square w-full overflow-hidden rounded-lg border bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring',
                      chosen && 'ring-2 ring-primary',
                    )}
                  >
                    {asset.thumbnailUrl ? (
                      <img src={asset.thumbnailUrl} alt="" className="size-full object-cover" />
                    ) : (
                      <ImageOff className="m-auto size-6 text-muted-foreground" aria-hidden="true" />
                    )}
                    {chosen ? (
                      <span className="absolute top-1.5 right-1.5 flex size-6 items-center justify-center rounded-full bg-primary text-primary-foreground">
                        <Check className="size-4" aria-hidden="true" />
                      </span>
                    ) : null}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <DialogFooter>
          <Button variant="outline" onClick={() => onOpenChange(false)}>
            Cancel
          </Button>
          <Button onClick={confirm} disabled={selected.length === 0}>
            Use {selected.length > 1 ? `${selected.length} files` : 'selected'}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
