'use client';
import { AlertTriangle } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { CopyableCode } from '@/components/ui/copyable-code';
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog';

/** The plaintext key, once: the server keeps only its hash, so closing this loses it for good. */
export function NewApiKeyDialog({
  created,
  onClose,
}: {
  created: { name: string; key: string } | null;
  onClose(): void;
}) {
  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return (
    <Dialog open={created !== null} onOpenChange={(open) => (open ? undefined : onClose())}>
      <DialogContent
        // A stray click outside must not throw the key away.
        onPointerDownOutside={(e) => e.preventDefault()}
      >
        <DialogHeader>
          <DialogTitle>API key “{created?.name}” created</DialogTitle>
          <DialogDescription>Scripts send it as a bearer token.</DialogDescription>
        </DialogHeader>
        <p
          role="note"
          className="flex gap-2 rounded-md border border-warning/40 bg-warning/10 p-3 text-sm text-foreground"
        >
          <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
          <span>
            <strong>Copy it now: it is shown only once.</strong> Anyone with this key can act as you; keep it
            out of shared files and revoke it if it leaks.
          </span>
        </p>
        {created ? (
          <div className="space-y-3">
            <CopyableCode value={created.key} label="Copy the API key" className="[&_code]:text-sm" />
            <p className="text-xs text-muted-foreground">For example:</p>
            <CopyableCode
              value={`curl -H "Authorization: Bearer ${created.key}" ${origin}/api/trpc/system.status`}
              label="Copy the example command"
            />
          </div>
        ) : null}
        <DialogFooter>
          <Button onClick={onClose}>I have copied it</Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
