'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { X } from 'lucide-react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/utils';
import { useTRPC } from '@/trpc/react';
import type { RouterOutputs } from '@/trpc/types';
import { DownloadButton } from './download-button';
import { DownloadProgress } from './download-progress';
import type { CatalogModel, ModelState } from './model-state';
import type { PullView } from './use-pull-progress';
import { VerifyButton } from './verify-button';

export type PullOutcomes = RouterOutputs['models']['pull'];

/** Workers that could not start (the others did): said per worker. */
export function toastFailures(outcomes: { workerId: string; ok: boolean; message?: string }[]) {
  for (const outcome of outcomes) if (!outcome.ok) toast.error(`${outcome.workerId}: ${outcome.message}`);
}

/**
 * Download / Cancel / Verify for admins, on one worker (`workerId`) or on every worker. The row
 * keeps one height whatever it shows, so a download starting or ending does not push the cards below.
 */
export function ModelAdminActions({
  model,
  workerId,
  where,
  state,
  view,
  onStarted,
  className,
}: {
  model: CatalogModel;
  /** undefined: every worker. */
  workerId: string | undefined;
  /** The worker in words ("worker gpu-1"), or "each worker". */
  where: string;
  state: ModelState;
  view: PullView | null;
  onStarted(outcomes: PullOutcomes): void;
  className?: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() });
  const pull = useMutation(
    trpc.models.pull.mutationOptions({
      onSuccess: (outcomes) => {
        toastFailures(outcomes);
        onStarted(outcomes);
        void refresh();
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  const cancel = useMutation(
    trpc.models.cancelPull.mutationOptions({
      onSuccess: () => toast.info(`Download of ${model.title} cancelled; downloading again resumes it`),
      onError: (e) => {
        toast.error(e.message);
        void refresh();
      },
    }),
  );
  const downloadable = model.availability === 'download';
  const failed = view?.progress.state === 'failed' ? view.progress.message : null;

  return (
    <div className={cn('flex min-h-14 items-center gap-3 border-t pt-4', className)}>
      {state === 'downloading' && view ? (
        <>
          <DownloadProgress title={model.title} view={view} />
          <Button
            variant="outline"
            size="sm"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate({ id: model.id, workerId })}
          >
            <X aria-hidden="true" />
            Cancel
          </Button>
        </>
      ) : (
        <>
          <p className="min-w-0 flex-1 text-xs text-muted-foreground">
            {failed ? <span className="text-destructive">Download failed: {failed}</span> : actionHint(state)}
          </p>
          {downloadable && state !== 'installed' ? (
            <DownloadButton
              model={model}
              where={where}
              resume={state === 'partial'}
              disabled={pull.isPending}
              onConfirm={() => pull.mutate({ id: model.id, workerId })}
            />
          ) : null}
          {state === 'installed' || state === 'bundled' || state === 'damaged' ? (
            <VerifyButton id={model.id} title={model.title} workerId={workerId} />
          ) : null}
        </>
      )}
    </div>
  );
}

function actionHint(state: ModelState): string {
  switch (state) {
    case 'installed':
    case 'bundled':
      return 'Ready to use.';
    case 'partial':
      return 'A download was interrupted; resuming keeps what arrived.';
    case 'damaged':
      return 'The file on disk is not the one in the catalog: download it again.';
    case 'export-required':
      return 'No public download: export the file and import it with the command above.';
    default:
      return '';
  }
}
