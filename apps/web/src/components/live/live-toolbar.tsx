'use client';
import { Circle, ExternalLink, Square } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Segmented } from '@/components/ui/segmented';
import { Spinner } from '@/components/ui/spinner';
import { formatClock } from '@/lib/format';
import type { StageView } from './live-stage';
import { useElapsed } from './use-elapsed';

/** Under the stage: the view, recording to the gallery, and the output view for OBS. */
export function LiveToolbar({
  view,
  onViewChange,
  live,
  recordingSince,
  saving,
  onRecord,
}: {
  view: StageView;
  onViewChange(view: StageView): void;
  live: boolean;
  /** When the recording began (Date.now()), while one runs. */
  recordingSince: number | null;
  saving: boolean;
  onRecord(action: 'start' | 'stop'): void;
}) {
  const elapsed = useElapsed(recordingSince);
  return (
    <div className="flex flex-wrap items-center gap-3">
      <Segmented
        label="View"
        value={view}
        onChange={onViewChange}
        options={[
          { value: 'side-by-side', label: 'Side by side' },
          { value: 'processed', label: 'Processed only' },
        ]}
      />
      {recordingSince !== null || saving ? (
        <Button variant="outline" onClick={() => onRecord('stop')} disabled={saving}>
          {saving ? <Spinner /> : <Square className="fill-current text-red-600" aria-hidden="true" />}
          {saving ? 'Saving…' : 'Stop recording'}
          {saving ? null : <span className="font-mono text-xs tabular-nums">{formatClock(elapsed)}</span>}
        </Button>
      ) : (
        <Button variant="outline" onClick={() => onRecord('start')} disabled={!live}>
          <Circle className="fill-current text-red-600" aria-hidden="true" />
          Record
        </Button>
      )}
      <Button variant="ghost" asChild className="sm:ml-auto">
        <a
          href="/live-output"
          target="_blank"
          rel="noreferrer"
          title="A page with only the processed stream, for an OBS browser source"
        >
          <ExternalLink aria-hidden="true" />
          Output view
        </a>
      </Button>
    </div>
  );
}
