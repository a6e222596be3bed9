import type { LiveMode } from './live-modes';

/** Whether a worker can take a session of this mode now (live.modes, refreshed every few seconds). */
export function SlotNotice({ mode }: { mode: LiveMode }) {
  if (mode.workers === 0)
    return (
      <p role="status" className="rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
        <strong>No worker runs {mode.title.toLowerCase()}</strong>: start a worker with live mode on (it needs
        the web app’s BETTER_AUTH_SECRET).
      </p>
    );
  if (mode.freeSlots === 0)
    return (
      <p role="status" className="rounded-md border border-warning/40 bg-warning/10 p-3 text-sm">
        <strong>No free live slot</strong>: every worker that runs {mode.title.toLowerCase()} is busy. Wait
        for a session to end, or start another worker.
      </p>
    );
  return (
    <p className="text-xs text-muted-foreground" data-testid="free-slots">
      {mode.freeSlots} free {mode.freeSlots === 1 ? 'slot' : 'slots'} on {mode.workers}{' '}
      {mode.workers === 1 ? 'worker' : 'workers'} ({mode.accelerated ? 'accelerated' : 'CPU only'})
    </p>
  );
}
