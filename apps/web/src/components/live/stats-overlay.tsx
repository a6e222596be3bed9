'use client';
import type { StatsMessage } from '@visage/db/live/protocol';
import { Fragment } from 'react';
import { formatClock } from '@/lib/format';
import { useElapsed } from './use-elapsed';

const ms = (value: number) => `${Math.round(value)} ms`;

/**
 * The worker's numbers of the last second over the picture (docs/live.md): frames in and out,
 * capture-to-screen latency, the provider of each model, frames dropped, and the recording.
 */
export function StatsOverlay({
  stats,
  recordingSince,
}: {
  stats: StatsMessage | null;
  recordingSince: number | null;
}) {
  const elapsed = useElapsed(recordingSince);
  const recordedMs = stats?.recording?.durationMs ?? 0;
  const providers = Object.entries(stats?.providers ?? {});
  return (
    <>
      {recordingSince !== null ? (
        <p
          data-testid="recording-time"
          data-recorded-ms={Math.round(recordedMs)}
          className="absolute top-2 right-2 flex items-center gap-1.5 rounded bg-black/75 px-2 py-1 font-mono text-xs font-medium text-white tabular-nums"
        >
          <span className="size-2 animate-pulse rounded-full bg-red-500" aria-hidden="true" />
          <span className="sr-only">Recording for </span>
          {formatClock(elapsed)}
        </p>
      ) : null}
      {stats ? (
        <dl
          data-testid="live-stats"
          data-fps-out={stats.fpsOut}
          data-frames-out={stats.framesOut}
          title={`${stats.framesIn} frames in, ${stats.framesOut} out since the start`}
          className="absolute top-2 left-2 grid max-w-[calc(100%-6rem)] grid-cols-[auto_auto] gap-x-2 rounded bg-black/75 px-1.5 py-1 font-mono text-[11px] leading-4 text-white tabular-nums"
        >
          <dt>fps</dt>
          <dd>
            {stats.fpsIn.toFixed(0)} in · {stats.fpsOut.toFixed(0)} out
          </dd>
          <dt>latency</dt>
          <dd>{stats.latencyMs ? `${ms(stats.latencyMs.p50)} · p95 ${ms(stats.latencyMs.p95)}` : '–'}</dd>
          {stats.workerLatencyMs ? (
            <>
              <dt>worker</dt>
              <dd>
                {ms(stats.workerLatencyMs.p50)} · p95 {ms(stats.workerLatencyMs.p95)}
              </dd>
            </>
          ) : null}
          <dt>dropped</dt>
          <dd>
            {stats.droppedIn} in · {stats.droppedOut} out
          </dd>
          {providers.map(([model, provider]) => (
            <Fragment key={model}>
              <dt className="truncate">{model}</dt>
              <dd>{provider}</dd>
            </Fragment>
          ))}
        </dl>
      ) : null}
    </>
  );
}
