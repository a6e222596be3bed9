'use client';
import { AlertTriangle } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { CopyableCode } from '@/components/ui/copyable-code';
import { formatBytes } from '@/lib/upload';
import { LicenceLink } from './licence-link';
import { ModelAdminActions } from './model-admin-actions';
import { type CatalogModel, modelState, partBytes, STATE_LOOK } from './model-state';
import { usePullProgress } from './use-pull-progress';

/** One catalog entry: what it is, its licence, whether it is here, and how to get it. */
export function ModelCard({ model, isAdmin }: { model: CatalogModel; isAdmin: boolean }) {
  const { view, started } = usePullProgress(model.id, model.pull);
  const state = modelState(model, view?.progress ?? null);
  const look = STATE_LOOK[state];
  const part = partBytes(model);
  const damaged = model.variants.find((v) => v.reason)?.reason;
  const details = [
    model.id,
    model.bytes === null ? 'size unknown' : formatBytes(model.bytes),
    state === 'partial' && part > 0 ? `${formatBytes(part)} downloaded` : null,
    damaged && state === 'damaged' ? damaged : null,
  ];

  return (
    <Card
      id={`model-${model.id}`}
      className="flex h-full scroll-mt-24 flex-col gap-3 p-5"
      data-model={model.id}
      data-state={state}
    >
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0">
          <h3 className="font-medium leading-snug">{model.title}</h3>
          <p className="mt-1 text-xs wrap-anywhere text-muted-foreground">
            {details.filter(Boolean).join(' · ')}
          </p>
        </div>
        <Badge variant={look.variant} data-testid="model-state">
          {look.label}
        </Badge>
      </div>
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <LicenceLink licence={model.licence} className="text-primary" />
        {model.licence.commercialUse ? null : (
          <Badge variant="warning">
            <AlertTriangle aria-hidden="true" />
            Non-commercial
          </Badge>
        )}
      </p>
      {model.note ? <p className="text-xs text-muted-foreground">{model.note}</p> : null}
      <div className="mt-auto space-y-2">
        {model.availability === 'download' ? (
          <CopyableCode value={model.pullCommand} label={`Copy the pull command for ${model.id}`} />
        ) : null}
        {model.availability === 'bundled' ? null : (
          <CopyableCode
            value={model.importCommand}
            label={`Copy the offline import command for ${model.id}`}
          />
        )}
      </div>
      {isAdmin ? <ModelAdminActions model={model} state={state} view={view} onStarted={started} /> : null}
    </Card>
  );
}
