'use client';
// Which models the job, as currently set up, would use: missing ones and non-commercial licences are
// said before the job runs, not when it fails. The list follows the options (debounced). A model
// counts as installed when a connected worker serving the plugin has it (each worker has its own).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { AlertTriangle, Check, CircleDashed } from 'lucide-react';
import Link from 'next/link';
import { useState } from 'react';
import { LicenceLink } from '@/components/models/licence-link';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { DisclosureButton } from '@/components/ui/disclosure-button';
import { useSettled } from '@/hooks/use-settled';
import { useTRPC } from '@/trpc/react';
import type { RouterOutputs } from '@/trpc/types';

export type ModelNeeds = RouterOutputs['models']['forJob'];
export type ModelNeed = ModelNeeds['models'][number];

/**
 * The models for `options`; `initial` is the server's answer for the defaults, so the card renders
 * with the page (no layout shift) and only changed options ask again.
 */
export function useModelNeeds(
  plugin: string,
  options: Record<string, unknown>,
  initial: { options: Record<string, unknown>; models: ModelNeeds },
): ModelNeeds {
  const trpc = useTRPC();
  const settled = useSettled(options, 300);
  const isInitial = JSON.stringify(settled) === JSON.stringify(initial.options);
  const query = useQuery({
    ...trpc.models.forJob.queryOptions({ plugin, options: settled }),
    initialData: isInitial ? initial.models : undefined,
    placeholderData: keepPreviousData,
  });
  return query.data ?? initial.models;
}

function NeedRow({ need, workers }: { need: ModelNeed; workers: number }) {
  const everywhere = need.installedOn.length >= workers;
  return (
    <li className="space-y-1 py-2.5" data-model-need={need.id}>
      <p className="text-sm font-medium leading-snug">{need.title}</p>
      <div className="flex flex-wrap items-center gap-1.5 text-xs text-muted-foreground">
        {need.installed ? (
          <Badge variant={everywhere ? 'success' : 'warning'} data-testid="need-state">
            <Check aria-hidden="true" />
            {everywhere ? 'Installed' : `On ${need.installedOn.length} of ${workers} workers`}
          </Badge>
        ) : (
          <Badge variant={need.required ? 'destructive' : 'outline'} data-testid="need-state">
            <CircleDashed aria-hidden="true" />
            Not installed
          </Badge>
        )}
        {need.licence && !need.licence.commercialUse ? (
          <Badge variant="warning">
            <AlertTriangle aria-hidden="true" />
            Non-commercial
          </Badge>
        ) : null}
        {need.licence ? (
          <LicenceLink licence={need.licence} />
        ) : need.inCatalog === false ? (
          <span>Not in the model catalog</span>
        ) : null}
      </div>
    </li>
  );
}

/** The models card: what this job needs, what it uses when present, and what is wrong with that. */
export function ModelNeedsCard({ needs, pluginTitle }: { needs: ModelNeeds; pluginTitle: string }) {
  const [showOptional, setShowOptional] = useState(false);
  const { models } = needs;
  const workers = needs.workers.length;
  const required = models.filter((m) => m.required);
  const optional = models.filter((m) => !m.required);
  const missing = required.filter((m) => !m.installed);
  if (models.length === 0) return null;
  return (
    <Card data-testid="model-needs">
      <CardHeader>
        <CardTitle>Models</CardTitle>
        <CardDescription>What this job runs, with the options as they are now.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-3">
        {workers === 0 ? (
          <p role="status" className="rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
            <strong>No worker for {pluginTitle} is connected</strong>: a job waits in the queue until one
            starts. Models are installed by the workers, each into its own folder.
          </p>
        ) : missing.length > 0 ? (
          <p role="status" className="rounded-md border border-destructive/30 bg-destructive/10 p-3 text-sm">
            <strong>
              {missing.length === 1 ? `${missing[0]?.title} is` : `${missing.length} models are`} not
              installed
            </strong>
            : the job would fail. An admin can download {missing.length === 1 ? 'it' : 'them'} on the{' '}
            <Link
              href={`/models#model-${missing[0]?.id}`}
              className="font-medium underline underline-offset-4"
            >
              Models page
            </Link>
            .
          </p>
        ) : null}
        <ul className="divide-y">
          {required.map((need) => (
            <NeedRow key={need.id} need={need} workers={workers} />
          ))}
        </ul>
        {optional.length > 0 ? (
          <div className="space-y-1 border-t pt-3">
            <DisclosureButton
              open={showOptional}
              controls="optional-models"
              onToggle={() => setShowOptional(!showOptional)}
            >
              Used when installed ({optional.filter((m) => m.installed).length} of {optional.length} here)
            </DisclosureButton>
            <ul id="optional-models" hidden={!showOptional} className="divide-y">
              {showOptional
                ? optional.map((need) => <NeedRow key={need.id} need={need} workers={workers} />)
                : null}
            </ul>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

/** One line under the Run button when a model the job needs forbids commercial use. */
export function NonCommercialNotice({ models }: { models: ModelNeed[] }) {
  // What will run: every required model, and an optional one that is installed ("auto" picks it).
  const restricted = models.filter(
    (m) => (m.required || m.installed) && m.licence && !m.licence.commercialUse,
  );
  if (restricted.length === 0) return null;
  return (
    <p className="flex gap-2 text-xs text-muted-foreground" data-testid="non-commercial-notice">
      <AlertTriangle className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden="true" />
      <span>
        Uses {restricted.map((m) => m.title).join(' and ')}, licensed for non-commercial use only: results may
        not be used commercially.
      </span>
    </p>
  );
}
