import { cn } from '@/lib/utils';
import { CopyButton } from './copy-button';

/** A command or secret in a monospace box, scrollable when long, with a copy button. */
export function CopyableCode({
  value,
  label,
  className,
}: {
  value: string;
  /** What the copy button copies, for screen readers ("Copy pull command"). */
  label: string;
  className?: string;
}) {
  return (
    <div className={cn('flex min-w-0 items-center gap-1 rounded-md bg-muted pl-3', className)}>
      {/* Wrapped, not scrolled: a scrolling box would need to be focusable to be read by keyboard. */}
      <code className="min-w-0 flex-1 py-2 font-mono text-xs wrap-anywhere">{value}</code>
      <CopyButton value={value} label={label} />
    </div>
  );
}
