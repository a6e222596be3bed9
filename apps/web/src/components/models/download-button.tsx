'use client';
import { AlertTriangle, Download, ExternalLink } from 'lucide-react';
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from '@/components/ui/alert-dialog';
import { Button } from '@/components/ui/button';
import { formatBytes } from '@/lib/upload';
import type { CatalogModel } from './model-state';

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Download, after the admin has seen the licence (and, when it forbids commercial use, been told so). */
export function DownloadButton({
  model,
  where,
  resume,
  disabled,
  onConfirm,
}: {
  model: CatalogModel;
  /** Which worker downloads it ("worker gpu-1"), or "each worker". */
  where: string;
  /** An earlier download left a part file: the label says it continues. */
  resume: boolean;
  disabled: boolean;
  onConfirm(): void;
}) {
  const { licence } = model;
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button size="sm" disabled={disabled}>
          <Download aria-hidden="true" />
          {resume ? 'Resume download' : 'Download'}
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Download {model.title}?</AlertDialogTitle>
          <AlertDialogDescription>
            {capitalize(where)} downloads {model.bytes === null ? 'the file' : formatBytes(model.bytes)} into
            its models folder and checks it against the catalog's checksum.
          </AlertDialogDescription>
        </AlertDialogHeader>
        <div className="space-y-3 text-sm">
          <p>
            Licence:{' '}
            <a
              href={licence.url}
              target="_blank"
              rel="noreferrer"
              className="inline-flex items-center gap-1 font-medium text-primary underline-offset-4 hover:underline"
            >
              {licence.name}
              <ExternalLink className="size-3" aria-hidden="true" />
              <span className="sr-only">(opens in a new tab)</span>
            </a>
          </p>
          {licence.commercialUse ? null : (
            <p
              role="note"
              className="flex gap-2 rounded-md border border-warning/40 bg-warning/10 p-3 text-foreground"
            >
              <AlertTriangle className="mt-0.5 size-4 shrink-0 text-warning" aria-hidden="true" />
              <span>
                <strong>Non-commercial licence.</strong> You may not use this model, or what you make with it,
                for commercial purposes. Read the licence before you download it.
              </span>
            </p>
          )}
        </div>
        <AlertDialogFooter>
          <AlertDialogCancel>Not now</AlertDialogCancel>
          <AlertDialogAction onClick={onConfirm}>
            {licence.commercialUse ? 'Download' : 'Accept and download'}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
