'use client';
import type { ReactNode } from 'react';
import { cn } from '@/lib/utils';

/** A few mutually exclusive choices shown side by side (pressed buttons in a labelled group). */
export function Segmented<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: { value: T; label: ReactNode }[];
  onChange(value: T): void;
}) {
  return (
    <fieldset className="inline-flex h-9 items-center rounded-lg bg-muted p-1 text-muted-foreground">
      <legend className="sr-only">{label}</legend>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          aria-pressed={option.value === value}
          onClick={() => onChange(option.value)}
          className={cn(
            'inline-flex h-full items-center gap-1.5 rounded-md px-3 text-sm font-medium transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring [&_svg]:size-4',
            option.value === value && 'bg-background text-foreground shadow-sm',
          )}
        >
          {option.label}
        </button>
      ))}
    </fieldset>
  );
}
