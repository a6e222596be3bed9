'use client';
import { CheckCheck, Download, Trash2, X } from 'lucide-react';
import { Button } from '@/components/ui/button';

/** Stays at the bottom of the screen while anything is selected: the count and what to do with them. */
export function SelectionBar({
  count,
  allSelected,
  onSelectAll,
  onClear,
  onDownload,
  onDelete,
}: {
  count: number;
  allSelected: boolean;
  onSelectAll(): void;
  onClear(): void;
  onDownload(): void;
  onDelete(): void;
}) {
  return (
    <section
      aria-label="Selection"
      className="sticky bottom-4 z-20 mx-auto mt-6 flex w-fit max-w-full flex-wrap items-center justify-center gap-2 rounded-xl border bg-popover p-2 text-popover-foreground shadow-lg"
    >
      <p role="status" className="px-2 text-sm font-medium tabular-nums">
        {count} selected
      </p>
      <Button variant="ghost" size="sm" onClick={onSelectAll} disabled={allSelected}>
        <CheckCheck aria-hidden="true" /> Select all loaded
      </Button>
      <Button variant="outline" size="sm" onClick={onDownload}>
        <Download aria-hidden="true" /> Download zip
      </Button>
      <Button variant="destructive" size="sm" onClick={onDelete}>
        <Trash2 aria-hidden="true" /> Delete
      </Button>
      <Button variant="ghost" size="icon" className="size-8" aria-label="Clear selection" onClick={onClear}>
        <X aria-hidden="true" />
      </Button>
    </section>
  );
}
