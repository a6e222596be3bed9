// The gallery's filter and its form in the page URL; plain module, so the server page can read it too.
export type GalleryShow = 'all' | 'starred' | 'motion';
/** 'done': the results of finished jobs (the gallery proper); the others list the jobs themselves. */
export type GalleryStatus = 'done' | 'active' | 'failed' | 'cancelled';
export interface GalleryFilter {
  show: GalleryShow;
  /** A plugin id, or null for every tool. */
  plugin: string | null;
  status: GalleryStatus;
}

export const NO_FILTER: GalleryFilter = { show: 'all', plugin: null, status: 'done' };

const STATUSES: readonly GalleryStatus[] = ['done', 'active', 'failed', 'cancelled'];

/** The job statuses a non-'done' filter lists. */
export const JOB_STATUSES_FOR = {
  active: ['queued', 'running'],
  failed: ['failed'],
  cancelled: ['cancelled'],
} as const satisfies Record<Exclude<GalleryStatus, 'done'>, readonly string[]>;

/** The filter as the page URL carries it (`?show=starred&plugin=faceswap`), so Back and links keep it. */
export function filterFromParams(params: Record<string, string | string[] | undefined>): GalleryFilter {
  const { show, plugin, status } = params;
  return {
    show: show === 'starred' || show === 'motion' ? show : 'all',
    plugin: typeof plugin === 'string' && plugin ? plugin : null,
    status: STATUSES.find((s) => s === status) ?? 'done',
  };
}

export function filterToSearch(filter: GalleryFilter): string {
  const params = new URLSearchParams();
  if (filter.show !== 'all') params.set('show', filter.show);
  if (filter.plugin) params.set('plugin', filter.plugin);
  if (filter.status !== 'done') params.set('status', filter.status);
  const search = params.toString();
  return search ? `?${search}` : '';
}
