// What a catalog entry's files amount to, in the words the models page uses.
import type { RouterOutputs } from '@/trpc/types';

export type CatalogModel = RouterOutputs['models']['list'][number];
export type PullProgress = NonNullable<CatalogModel['pull']>;

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

/** `pull`: the latest word on a download (the live stream's, fresher than the catalog's). A running pull wins, then an intact file, then a broken one, then leftovers of a download. */
export function modelState(model: CatalogModel, pull: PullProgress | null = model.pull): ModelState {
  if (pull?.state === 'running') return 'downloading';
  if (model.installed) return model.availability === 'bundled' ? 'bundled' : 'installed';
  if (model.variants.some((v) => v.state === 'corrupt')) return 'damaged';
  if (model.variants.some((v) => v.partBytes > 0)) return 'partial';
  if (model.availability === 'export-required') return 'export-required';
  return 'not-installed';
}

/** Bytes of an unfinished download that pulling again resumes from. */
export const partBytes = (model: CatalogModel) => Math.max(0, ...model.variants.map((v) => v.partBytes));

export const PLUGIN_GROUPS = [
  { plugin: 'faceswap', title: 'Face swap', description: 'Swapping a face into a photo or a video.' },
  {
    plugin: 'liveportrait',
    title: 'Portrait animation',
    description: 'LivePortrait: a portrait driven by a video.',
  },
  { plugin: 'wan', title: 'Reference-to-video', description: 'Wan 2.1 VACE: a video from reference images.' },
  {
    plugin: 'shared',
    title: 'Shared',
    description: 'Face detection and landmarks that several plugins use.',
  },
] as const;
