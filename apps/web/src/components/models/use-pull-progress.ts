'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useRef, useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { newerPull, type PullProgress } from './model-state';

/** Samples older than this drop out of the speed average, so it follows the current rate. */
const WINDOW_MS = 5000;

export interface PullView {
  progress: PullProgress;
  /** Bytes per second over the last few seconds; null until there is enough to tell. */
  speed: number | null;
  /** Seconds left at that speed; null when the size or the speed is unknown. */
  etaSeconds: number | null;
}

/**
 * One model's download on one worker: `known` (the list's word, or the answer that started it)
 * until the SSE stream (models.onPull, relayed from the worker) says more. Follows the stream while
 * the pull runs, and refreshes the list when it ends, so the install state comes from the worker.
 */
export function usePullProgress(id: string, workerId: string | undefined, known: PullProgress | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const samples = useRef<{ at: number; received: number }[]>([]);
  const [live, setLive] = useState<PullView | null>(null);
  const progress = newerPull(live?.progress, known);
  const view: PullView | null = !progress
    ? null
    : progress === live?.progress
      ? live
      : { progress, speed: null, etaSeconds: null };
  const running = view?.progress.state === 'running';

  useSubscription(
    trpc.models.onPull.subscriptionOptions(
      { id, workerId },
      {
        enabled: running && workerId !== undefined,
        onData: ({ data }) => {
          const now = Date.now();
          const last = samples.current.at(-1);
          if (last && data.received < last.received) samples.current = []; // a new download
          samples.current = [
            ...samples.current.filter((s) => now - s.at < WINDOW_MS),
            { at: now, received: data.received },
          ];
          const first = samples.current[0];
          const seconds = first ? (now - first.at) / 1000 : 0;
          const speed = first && seconds >= 0.5 ? (data.received - first.received) / seconds : null;
          const etaSeconds =
            speed && speed > 0 && data.total !== null ? (data.total - data.received) / speed : null;
          setLive({ progress: data, speed, etaSeconds });
          if (data.state !== 'running') {
            samples.current = [];
            void queryClient.invalidateQueries({ queryKey: trpc.models.list.queryKey() });
          }
        },
      },
    ),
  );

  return view;
}
