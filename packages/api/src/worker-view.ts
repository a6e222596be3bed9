// What a caller may learn about the workers (docs/security.md §4): admins see everything; other
// users see a stable pseudonym instead of the worker id (which defaults to `<host>-<pid>`), the
// accelerator kind and the start time — no host name, process id, device, models or live address.
import { createHmac } from 'node:crypto';
import type { WorkerPresence } from '@visage/db/jobs';
import type { WorkerModelState } from '@visage/db/models';
import type { Caller } from './access.ts';

/** The same worker gets the same alias on every call (keyed with the installation's secret). */
export const workerAlias = (secret: string, workerId: string) =>
  `worker-${createHmac('sha256', secret).update(workerId).digest('hex').slice(0, 10)}`;

export type WorkerView = Omit<WorkerPresence, 'host' | 'pid' | 'device' | 'models' | 'live'> & {
  host: string | null;
  pid: number | null;
  device: string | null;
  models?: WorkerPresence['models'];
  live?: WorkerPresence['live'];
};

export function workerView(caller: Caller, secret: string, worker: WorkerPresence): WorkerView {
  if (caller.role === 'admin') return worker;
  return {
    id: workerAlias(secret, worker.id),
    host: null,
    pid: null,
    device: null,
    accelerator: worker.accelerator,
    startedAt: worker.startedAt,
  };
}

/** A worker's model state for the models pages: non-admins get the alias and no host or folder. */
export function modelStateView(caller: Caller, secret: string, state: WorkerModelState): WorkerModelState {
  if (caller.role === 'admin') return state;
  const alias = workerAlias(secret, state.workerId);
  return { ...state, workerId: alias, host: alias, modelsDir: '' };
}
