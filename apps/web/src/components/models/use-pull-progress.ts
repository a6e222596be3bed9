'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useRef, useState } from 'react';
import { useTRPC } from '@/trpc/react';
import type { PullProgress } from './model-state';

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
 * One model's download: the catalog's last word on it until `started` or the SSE stream
 * (models.onPull) says more. Follows the stream while the pull runs, and refreshes the catalog
 * when it ends, so the install state comes from the files on disk.
 */
export function usePullProgress(id: string, fromCatalog: PullProgress | null) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const samples = useRef<{ at: number; received: number }[]>([]);
  const [live, setLive] = useState<PullView | null>(null);
  const view: PullView | null =
    live ?? (fromCatalog ? { progress: fromCatalog, speed: null, etaSeconds: null } : null);
  const running = view?.progress.state === 'running';

  useSubscription(
    trpc.models.onPull.subscriptionOptions(
      { id },
      {
        enabled: running,
        onData: ({ data }) => {
          const now = Date.now();
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

  /** A pull was just started (or resumed): forget the last one's numbers. */
  const started = useCallback((progress: PullProgress) => {
    samples.current = [];
    setLive({ progress, speed: null, etaSeconds: null });
  }, []);

  return { view, running, started };
}
