'use client';
import { useMutation } from '@tanstack/react-query';
import { Ban, Download, RotateCcw } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { Spinner } from '@/components/ui/spinner';
import { useTRPC } from '@/trpc/react';
import { isTerminal, type JobStatus } from './job-status-badge';

/** Cancel (asked first: the work so far is lost) while it runs; retry once it ended; download. */
export function JobActions({
  id,
  status,
  download,
}: {
  id: string;
  status: JobStatus;
  download: { href: string; name: string } | null;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const cancel = useMutation(
    trpc.jobs.cancel.mutationOptions({
      onSuccess: () => toast.success('Cancelling the job'),
      onError: (error) => toast.error(error.message),
    }),
  );
  const retry = useMutation(
    trpc.jobs.retry.mutationOptions({
      onSuccess: ({ id: next }) => router.push(`/jobs/${next}`),
      onError: (error) => toast.error(error.message),
    }),
  );
  return (
    <>
      {isTerminal(status) ? (
        <Button variant="outline" onClick={() => retry.mutate({ id })} disabled={retry.isPending}>
          {retry.isPending ? <Spinner /> : <RotateCcw aria-hidden="true" />} Retry
        </Button>
      ) : (
        <ConfirmButton
          title="Cancel this job?"
          description="It stops as soon as the worker notices, and what it has done so far is lost. You can retry it later."
          confirm="Cancel job"
          cancel="Keep running"
          onConfirm={() => cancel.mutate({ id })}
        >
          <Button variant="outline" disabled={cancel.isPending || cancel.isSuccess}>
            {cancel.isPending ? <Spinner /> : <Ban aria-hidden="true" />} Cancel
          </Button>
        </ConfirmButton>
      )}
      {download ? (
        <Button asChild>
          <a href={download.href} download={download.name}>
            <Download aria-hidden="true" /> Download
          </a>
        </Button>
      ) : null}
    </>
  );
}
