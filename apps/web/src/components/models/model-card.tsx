'use client';
import { AlertTriangle } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card } from '@/components/ui/card';
import { CopyableCode } from '@/components/ui/copyable-code';
import { formatBytes } from '@/lib/upload';
import { LicenceLink } from './licence-link';
import { ModelAdminActions, type PullOutcomes } from './model-admin-actions';
import {
  type CatalogModel,
  differsByWorker,
  type ModelOnWorker,
  type ModelState,
  modelState,
  newerPull,
  type PullProgress,
  partBytes,
  STATE_LOOK,
  type WorkerSummary,
  workerLabel,
} from './model-state';
import { usePullProgress } from './use-pull-progress';

interface OnWorker {
  worker: Pick<WorkerSummary, 'id' | 'host'>;
  files: ModelOnWorker;
  /** The newest word on its download: the list's, or the answer that just started one. */
  pull: PullProgress | null;
}

/** What is on disk beyond the state: bytes of a download to resume, or why a file is damaged. */
function fileFacts({ files }: OnWorker, state: ModelState): string | null {
  const part = partBytes(files);
  if (state === 'partial' && part > 0) return `${formatBytes(part)} downloaded`;
  if (state === 'damaged') return files.variants.find((v) => v.reason)?.reason ?? null;
  return null;
}

function StateBadge({ state }: { state: ModelState }) {
  const look = STATE_LOOK[state];
  return (
    <Badge variant={look.variant} data-testid="model-state">
      {look.label}
    </Badge>
  );
}

/**
 * One catalog entry: what it is, its licence, whether it is installed on the workers, and how to get
 * it. One set of actions for every worker while they agree; one row per worker when they differ.
 */
export function ModelCard({
  model,
  workers,
  isAdmin,
}: {
  model: CatalogModel;
  workers: WorkerSummary[];
  isAdmin: boolean;
}) {
  // The pulls just started, until the list (refetched at once) reports them itself.
  const [started, setStarted] = useState<{ list: CatalogModel; pulls: Record<string, PullProgress> }>();
  const onStarted = (outcomes: PullOutcomes) =>
    setStarted({
      list: model,
      pulls: Object.fromEntries(outcomes.flatMap((o) => (o.ok ? [[o.workerId, o.value]] : []))),
    });
  const startedPulls = started?.list === model ? started.pulls : {};
  const onWorkers: OnWorker[] = model.workers.map((files) => ({
    worker: workers.find((w) => w.id === files.workerId) ?? { id: files.workerId, host: files.workerId },
    files,
    pull: newerPull(files.pull, startedPulls[files.workerId]),
  }));
  const states = onWorkers.map((w) => modelState(model, w.files, w.pull));
  const common = { model, isAdmin, onStarted };

  if (onWorkers.length === 1 && onWorkers[0]) return <OneWorkerCard {...common} onWorker={onWorkers[0]} />;
  if (!differsByWorker(states)) {
    const state = states[0] ?? 'not-installed';
    return (
      <CardFrame model={model} state={state} badge={<StateBadge state={state} />} facts={[]}>
        {isAdmin ? (
          <ModelAdminActions
            model={model}
            workerId={undefined}
            where="each worker"
            state={state}
            view={null}
            onStarted={onStarted}
          />
        ) : null}
      </CardFrame>
    );
  }
  const installed = states.filter((s) => s === 'installed' || s === 'bundled').length;
  return (
    <CardFrame
      model={model}
      state="mixed"
      badge={
        <Badge variant={installed > 0 ? 'warning' : 'outline'} data-testid="model-state">
          Installed on {installed} of {states.length}
        </Badge>
      }
      facts={[]}
    >
      <ul className="divide-y border-t" aria-label={`${model.title} on each worker`}>
        {onWorkers.map((onWorker) => (
          <WorkerRow key={onWorker.worker.id} {...common} onWorker={onWorker} />
        ))}
      </ul>
    </CardFrame>
  );
}

interface Common {
  model: CatalogModel;
  isAdmin: boolean;
  onStarted(outcomes: PullOutcomes): void;
}

/** The only worker: its state is the model's, live while it downloads. */
function OneWorkerCard({ model, isAdmin, onStarted, onWorker }: Common & { onWorker: OnWorker }) {
  const view = usePullProgress(model.id, onWorker.worker.id, onWorker.pull);
  const state = modelState(model, onWorker.files, view?.progress ?? null);
  return (
    <CardFrame
      model={model}
      state={state}
      badge={<StateBadge state={state} />}
      facts={[fileFacts(onWorker, state)]}
    >
      {isAdmin ? (
        <ModelAdminActions
          model={model}
          workerId={onWorker.worker.id}
          where={`worker ${workerLabel(onWorker.worker)}`}
          state={state}
          view={view}
          onStarted={onStarted}
        />
      ) : null}
    </CardFrame>
  );
}

/** One worker's files of the model, live while it downloads there. */
function WorkerRow({ model, isAdmin, onStarted, onWorker }: Common & { onWorker: OnWorker }) {
  const view = usePullProgress(model.id, onWorker.worker.id, onWorker.pull);
  const state = modelState(model, onWorker.files, view?.progress ?? null);
  const facts = fileFacts(onWorker, state);
  return (
    <li className="space-y-1 py-3" data-worker={onWorker.worker.id} data-state={state}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="min-w-0 text-sm font-medium wrap-anywhere">{workerLabel(onWorker.worker)}</p>
        <StateBadge state={state} />
      </div>
      {facts ? <p className="text-xs text-muted-foreground">{facts}</p> : null}
      {isAdmin ? (
        <ModelAdminActions
          model={model}
          workerId={onWorker.worker.id}
          where={`worker ${workerLabel(onWorker.worker)}`}
          state={state}
          view={view}
          onStarted={onStarted}
          className="min-h-10 border-t-0 pt-1"
        />
      ) : null}
    </li>
  );
}

function CardFrame({
  model,
  state,
  badge,
  facts,
  children,
}: {
  model: CatalogModel;
  state: ModelState | 'mixed';
  badge: ReactNode;
  facts: (string | null)[];
  children: ReactNode;
}) {
  const details = [model.id, model.bytes === null ? 'size unknown' : formatBytes(model.bytes), ...facts];
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
        {badge}
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
      {model.availability === 'bundled' ? (
        <div className="mt-auto" />
      ) : (
        <div className="mt-auto space-y-2">
          <p className="text-xs text-muted-foreground">On a worker’s host (for offline machines):</p>
          {model.availability === 'download' ? (
            <CopyableCode value={model.pullCommand} label={`Copy the pull command for ${model.id}`} />
          ) : null}
          <CopyableCode
            value={model.importCommand}
            label={`Copy the offline import command for ${model.id}`}
          />
        </div>
      )}
      {children}
    </Card>
  );
}
