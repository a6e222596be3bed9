'use client';
import { ChevronDown } from 'lucide-react';
import type { ReactNode } from 'react';
import { cn } from '@/lib/utils';

/** A full-width toggle that shows or hides the element `controls` names (aria-expanded for readers). */
export function DisclosureButton({
  open,
  controls,
  onToggle,
  children,
}: {
  open: boolean;
  controls: string;
  onToggle(): void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className="flex w-full items-center justify-between rounded-md text-sm font-medium text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
      aria-expanded={open}
      aria-controls={controls}
      onClick={onToggle}
    >
      {children}
      <ChevronDown className={cn('size-4 transition-transform', open && 'rotate-180')} aria-hidden="true" />
    </button>
  );
}
