// The models page's and the studio's view of the catalog, merged from the live workers' model
// states: one row per model, with each worker's install state (workers may differ: each installs
// into its own folder). The catalog itself comes from the workers, which own it.
import type { WorkerModel, WorkerModelState } from '@visage/db/models';
import { pluginDescriptors } from '@visage/plugins/schemas';

export interface WorkerSummary {
  id: string;
  host: string;
  plugins: string[];
  modelsDir: string;
}

export type ModelOnWorker = Pick<WorkerModel, 'installed' | 'variants' | 'pull'> & { workerId: string };

export interface ModelRow extends Omit<WorkerModel, 'installed' | 'variants' | 'pull'> {
  /** Installed on every live worker. */
  installed: boolean;
  /** The workers that have it installed. */
  installedOn: string[];
  /** One entry per live worker that knows the model, in worker order. */
  workers: ModelOnWorker[];
  /** Run on a worker's host; the model goes into that worker's folder. */
  pullCommand: string;
  /** For an offline worker: what to run there with the file. */
  importCommand: string;
}

export interface ModelGroup {
  plugin: string;
  title: string;
  description: string;
}

export const summarize = (state: WorkerModelState): WorkerSummary => ({
  id: state.workerId,
  host: state.host,
  plugins: state.plugins,
  modelsDir: state.modelsDir,
});

const pullCommand = (id: string) => `pnpm visage models pull ${id}`;

/** Every model the live workers know, in the first worker's catalog order, with each worker's state. */
export function modelRows(states: readonly WorkerModelState[]): ModelRow[] {
  const rows = new Map<string, ModelRow>();
  for (const state of states) {
    for (const { installed, variants, pull, ...entry } of state.models) {
      let row = rows.get(entry.id);
      if (!row) {
        row = {
          ...entry,
          installed: true,
          installedOn: [],
          workers: [],
          pullCommand: pullCommand(entry.id),
          // An export is a folder (the .onnx and its data files, docs/models/wan.md §9.4); a download one file.
          importCommand: `pnpm visage models import ${entry.id} ${entry.availability === 'export-required' ? '<folder>' : '<file>'}`,
        };
        rows.set(entry.id, row);
      }
      row.workers.push({ workerId: state.workerId, installed, variants, pull });
      if (installed) row.installedOn.push(state.workerId);
    }
  }
  for (const row of rows.values()) row.installed = row.installedOn.length === states.length;
  return [...rows.values()];
}

/**
 * Headings for the plugins the models belong to: each plugin's own title and description, models
 * of plugins this version does not run under their (capitalised) id, and the shared ones last.
 */
export function modelGroups(rows: readonly ModelRow[]): ModelGroup[] {
  const plugins = [...new Set(rows.map((r) => r.plugin))];
  const known = pluginDescriptors.map((d) => d.id);
  const rank = (plugin: string) =>
    plugin === 'shared'
      ? Number.MAX_SAFE_INTEGER
      : known.includes(plugin)
        ? known.indexOf(plugin)
        : known.length;
  return plugins
    .sort((a, b) => rank(a) - rank(b))
    .map((plugin) => {
      const descriptor = pluginDescriptors.find((d) => d.id === plugin);
      if (descriptor) return { plugin, title: descriptor.title, description: descriptor.description };
      if (plugin === 'shared') {
        return {
          plugin,
          title: 'Shared',
          description: 'Face detection and landmarks that several plugins use.',
        };
      }
      return {
        plugin,
        title: plugin.charAt(0).toUpperCase() + plugin.slice(1),
        description: `Models of the ${plugin} plugin, which this version does not run yet.`,
      };
    });
}

export interface ModelNeedRow {
  id: string;
  title: string;
  required: boolean;
  /** False when no live worker's catalog has the id; null when no worker is connected to ask. */
  inCatalog: boolean | null;
  /** Installed on at least one live worker serving the plugin (a job can run there). */
  installed: boolean;
  /** Those workers. */
  installedOn: string[];
  bytes: number | null;
  licence: WorkerModel['licence'] | null;
  availability: WorkerModel['availability'] | null;
  pullCommand: string | null;
}

/** One row per model a job needs or may use, judged on the workers serving its plugin. */
export function needRows(
  ids: { required: string[]; optional: string[] },
  states: readonly WorkerModelState[],
  plugin: string,
): ModelNeedRow[] {
  const serving = states.filter((s) => s.plugins.includes(plugin));
  const row = (id: string, required: boolean): ModelNeedRow => {
    // The entry as a serving worker knows it, else as any worker does (it still tells the licence).
    const entry = [...serving, ...states].flatMap((s) => s.models).find((m) => m.id === id);
    if (!entry) {
      // A free-form model option (the test plugin's) may name anything: say it is not in the catalog.
      const base = { id, title: id, required, installed: false, installedOn: [] };
      const inCatalog = states.length === 0 ? null : false;
      return { ...base, inCatalog, bytes: null, licence: null, availability: null, pullCommand: null };
    }
    const installedOn = serving
      .filter((s) => s.models.some((m) => m.id === id && m.installed))
      .map((s) => s.workerId);
    return {
      id,
      title: entry.title,
      required,
      inCatalog: true,
      installed: installedOn.length > 0,
      installedOn,
      bytes: entry.bytes,
      licence: entry.licence,
      availability: entry.availability,
      pullCommand: pullCommand(id),
    };
  };
  return [...ids.required.map((id) => row(id, true)), ...ids.optional.map((id) => row(id, false))];
}
