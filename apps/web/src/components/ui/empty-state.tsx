import { AlertTriangle, type LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { cn } from '@/lib/utils';
import { Button } from './button';

/** What a page shows when it has nothing yet (or could not load): an icon, a sentence, a way on. */
export function EmptyState({
  icon: Icon,
  title,
  description,
  action,
  tone = 'default',
  className,
}: {
  icon: LucideIcon;
  title: string;
  description?: ReactNode;
  action?: ReactNode;
  tone?: 'default' | 'error';
  className?: string;
}) {
  return (
    <div
      className={cn(
        'flex flex-col items-center justify-center gap-3 rounded-xl border border-dashed px-6 py-14 text-center',
        className,
      )}
    >
      <div
        className={cn(
          'flex size-12 items-center justify-center rounded-full',
          tone === 'error' ? 'bg-destructive/10 text-destructive' : 'bg-accent text-accent-foreground',
        )}
      >
        <Icon className="size-6" aria-hidden="true" />
      </div>
      <div className="max-w-md space-y-1">
        <h2 className="text-base font-semibold">{title}</h2>
        {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

/** A list that could not be loaded: why, and a retry. */
export function LoadError({
  title,
  error,
  onRetry,
}: {
  title: string;
  error: { message: string };
  onRetry(): void;
}) {
  return (
    <EmptyState
      tone="error"
      icon={AlertTriangle}
      title={title}
      description={error.message}
      action={
        <Button variant="outline" onClick={onRetry}>
          Try again
        </Button>
      }
    />
  );
}
