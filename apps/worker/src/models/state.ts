// This worker's model state as the web app sees it: the catalog entries it knows, the state of
// their files in its models folder, and its downloads.
import type { WorkerModel, WorkerModelState } from '@visage/db/models';
import type { ModelStatus, ModelStore } from '@visage/inference/models';
import type { ModelPulls } from './pulls.ts';

export interface WorkerIdentity {
  workerId: string;
  host: string;
  plugins: string[];
}

function modelOf({ entry, installed, variants }: ModelStatus, pulls: ModelPulls): WorkerModel {
  return {
    id: entry.id,
    title: entry.title,
    plugin: entry.plugin,
    bytes: entry.bytes,
    licence: entry.licence,
    availability: entry.availability,
    note: entry.note ?? null,
    installed,
    variants: variants.map((v) => ({
      precision: v.precision,
      state: v.state,
      reason: v.reason ?? null,
      partBytes: v.partBytes,
    })),
    pull: pulls.get(entry.id),
  };
}

/** Reads the models folder (sizes only, no hashing: cheap enough for every heartbeat). */
export async function readModelState(
  store: ModelStore,
  pulls: ModelPulls,
  identity: WorkerIdentity,
): Promise<WorkerModelState> {
  const statuses = await store.list();
  return {
    ...identity,
    modelsDir: store.dir,
    updatedAt: Date.now(),
    models: statuses.map((status) => modelOf(status, pulls)),
  };
}
