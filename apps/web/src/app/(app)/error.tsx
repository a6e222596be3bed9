'use client';
import { AlertTriangle } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

/** A page that threw while rendering: say so, keep the shell, offer to try again. */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset(): void }) {
  return (
    <EmptyState
      tone="error"
      icon={AlertTriangle}
      title="This page could not be shown"
      description={error.message || 'Something went wrong on the server.'}
      action={
        <Button variant="outline" onClick={reset}>
          Try again
        </Button>
      }
    />
  );
}
