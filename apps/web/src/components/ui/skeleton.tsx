import type { ComponentProps } from 'react';
import { cn } from '@/lib/utils';

/** A placeholder with the size of the content it stands for, so nothing moves when that arrives. */
export function Skeleton({ className, ...props }: ComponentProps<'div'>) {
  return (
    <div
      data-slot="skeleton"
      aria-hidden="true"
      className={cn('animate-pulse rounded-md bg-muted', className)}
      {...props}
    />
  );
}
