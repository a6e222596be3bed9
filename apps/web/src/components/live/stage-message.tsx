import { Spinner } from '@/components/ui/spinner';
import type { LivePhase } from './live-session';

const WORKING: Partial<Record<LivePhase, string>> = {
  starting: 'Opening the camera…',
  connecting: 'Connecting to a worker and loading the models…',
  reconnecting: 'The worker went away: connecting to another…',
};

/** What the stage says while no processed picture shows: what is happening, or why it ended. */
export function StageMessage({ phase, ended }: { phase: LivePhase; ended: string | null }) {
  const working = WORKING[phase];
  if (working)
    return (
      <p role="status" className="flex items-center gap-2">
        <Spinner /> {working}
      </p>
    );
  if (ended)
    return (
      <p role="alert" data-testid="live-ended" className="max-w-sm text-neutral-100">
        <strong>The session ended:</strong> {ended}
      </p>
    );
  return <p className="max-w-sm">Choose a mode and press Start: your camera appears here, processed live.</p>;
}
