// What a catalog entry's files amount to on each worker, in the words the models page uses. Each
// worker installs models into its own folder, so a model may be installed on one and not another.
import type { RouterOutputs } from '@/trpc/types';

export type ModelsList = RouterOutputs['models']['list'];
export type CatalogModel = ModelsList['models'][number];
export type ModelOnWorker = CatalogModel['workers'][number];
export type WorkerSummary = ModelsList['workers'][number];
export type PullProgress = NonNullable<ModelOnWorker['pull']>;

export type ModelState =
  | 'installed'
  | 'bundled'
  | 'downloading'
  | 'partial'
  | 'damaged'
  | 'export-required'
  | 'not-installed';

export const STATE_LOOK: Record<
  ModelState,
  { label: string; variant: 'success' | 'secondary' | 'default' | 'warning' | 'destructive' | 'outline' }
> = {
  installed: { label: 'Installed', variant: 'success' },
  bundled: { label: 'Bundled', variant: 'success' },
  downloading: { label: 'Downloading', variant: 'default' },
  partial: { label: 'Partial download', variant: 'warning' },
  damaged: { label: 'Damaged', variant: 'destructive' },
  'export-required': { label: 'Export required', variant: 'secondary' },
  'not-installed': { label: 'Not installed', variant: 'outline' },
};

/**
 * The state of a model's files on one worker. `pull`: the latest word on its download there (the
 * live stream's, fresher than the list's). A running pull wins, then an intact file, then a broken
 * one, then leftovers of a download.
 */
export function modelState(
  model: Pick<CatalogModel, 'availability'>,
  onWorker: ModelOnWorker,
  pull: PullProgress | null = onWorker.pull,
): ModelState {
  if (pull?.state === 'running') return 'downloading';
  if (onWorker.installed) return model.availability === 'bundled' ? 'bundled' : 'installed';
  if (onWorker.variants.some((v) => v.state === 'corrupt')) return 'damaged';
  if (onWorker.variants.some((v) => v.partBytes > 0)) return 'partial';
  if (model.availability === 'export-required') return 'export-required';
  return 'not-installed';
}

/** Bytes of an unfinished download that pulling again resumes from. */
export const partBytes = (onWorker: ModelOnWorker) =>
  Math.max(0, ...onWorker.variants.map((v) => v.partBytes));

/** The newer of two words on one worker's download (updates carry a sequence number). */
export function newerPull(a: PullProgress | null | undefined, b: PullProgress | null | undefined) {
  if (!a) return b ?? null;
  if (!b) return a;
  return b.seq > a.seq ? b : a;
}

/**
 * One row for every worker when they agree (a download is per worker, so one running anywhere on
 * several workers counts as differing), else one row per worker.
 */
export function differsByWorker(states: ModelState[]): boolean {
  return states.length > 1 && (new Set(states).size > 1 || states.includes('downloading'));
}

/** A worker's name for people: its id, with its host when the id does not already say it. */
export const workerLabel = (worker: Pick<WorkerSummary, 'id' | 'host'>) =>
  worker.id.startsWith(worker.host) ? worker.id : `${worker.id} (${worker.host})`;
