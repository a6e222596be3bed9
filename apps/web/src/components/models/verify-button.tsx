'use client';
import { useMutation } from '@tanstack/react-query';
import { ShieldCheck } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Spinner } from '@/components/ui/spinner';
import { useTRPC } from '@/trpc/react';

const VERDICT = {
  ok: { label: 'Checksum matches', variant: 'success' },
  unverified: { label: 'No checksum to compare', variant: 'secondary' },
  mismatch: { label: 'Checksum differs', variant: 'destructive' },
  corrupt: { label: 'Damaged', variant: 'destructive' },
  missing: { label: 'Not installed', variant: 'outline' },
} as const;

/**
 * Re-hashes the model's files on one worker (or each) and shows each sha256 against the catalog's,
 * per worker.
 */
export function VerifyButton({ id, title, workerId }: { id: string; title: string; workerId?: string }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const verify = useMutation(
    trpc.models.verify.mutationOptions({
      onSuccess: () => setOpen(true),
      onError: (error) => toast.error(error.message),
    }),
  );
  const outcomes = verify.data ?? [];
  const several = outcomes.length > 1;
  return (
    <>
      <Button
        variant="outline"
        size="sm"
        disabled={verify.isPending}
        onClick={() => verify.mutate({ id, workerId })}
      >
        {verify.isPending ? <Spinner /> : <ShieldCheck aria-hidden="true" />}
        {verify.isPending ? 'Verifying…' : 'Verify'}
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Verification of {title}</DialogTitle>
            <DialogDescription>
              The files in {several ? 'each worker’s' : 'the worker’s'} models folder, hashed now, against the
              catalog.
            </DialogDescription>
          </DialogHeader>
          <ul className="space-y-4">
            {outcomes.map((outcome) => (
              <li key={outcome.workerId} className="space-y-3" data-worker={outcome.workerId}>
                {several ? <p className="text-sm font-medium">{outcome.workerId}</p> : null}
                {outcome.ok ? (
                  <ul className="space-y-4">
                    {outcome.value.map((result) => (
                      <li key={result.precision} className="space-y-2 text-sm">
                        <div className="flex flex-wrap items-center gap-2">
                          <span className="font-medium">{result.precision}</span>
                          <Badge variant={VERDICT[result.state].variant}>{VERDICT[result.state].label}</Badge>
                        </div>
                        <dl className="grid gap-1 text-xs">
                          <dt className="text-muted-foreground">sha256 of the file</dt>
                          <dd className="font-mono break-all" data-testid="verify-actual">
                            {result.actual ?? '—'}
                          </dd>
                          <dt className="text-muted-foreground">sha256 in the catalog</dt>
                          <dd className="font-mono break-all">{result.expected ?? 'not known'}</dd>
                        </dl>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p className="text-sm text-destructive">{outcome.message}</p>
                )}
              </li>
            ))}
          </ul>
        </DialogContent>
      </Dialog>
    </>
  );
}
