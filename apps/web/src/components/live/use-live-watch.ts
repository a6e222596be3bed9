'use client';
// The output view's loop (docs/live.md): ask live.watch for a ticket to the user's newest session,
// show its frames, and when there is none or it ended (close 4000), ask again a moment later.
// It never gives up: an OBS browser source should pick up the next session on its own.
import { LIVE_CLOSE } from '@visage/db/live/protocol';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTRPCClient } from '@/trpc/react';
import { describeClose } from './close-reasons';
import { FramePainter } from './frame-painter';
import { type LiveSocket, openLiveSocket } from './live-socket';

const RETRY_MS = 2_000;
const MAX_RETRY_MS = 15_000;

export type WatchState =
  | { kind: 'waiting' }
  | { kind: 'showing'; plugin: string }
  | { kind: 'error'; message: string };

export function useLiveWatch() {
  const client = useTRPCClient();
  const [state, setState] = useState<WatchState>({ kind: 'waiting' });
  const painter = useRef<FramePainter | null>(null);
  painter.current ??= new FramePainter();

  useEffect(() => {
    const frames = painter.current as FramePainter;
    let stopped = false;
    let socket: LiveSocket | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const retry = (ms: number) => {
      if (!stopped) timer = setTimeout(watch, ms);
    };
    async function watch() {
      let ticket: Awaited<ReturnType<typeof client.live.watch.mutate>>;
      try {
        ticket = await client.live.watch.mutate();
      } catch (error) {
        failures++;
        setState({ kind: 'error', message: (error as Error).message });
        return retry(Math.min(RETRY_MS * 2 ** failures, MAX_RETRY_MS));
      }
      if (stopped) return;
      if (!ticket) {
        setState({ kind: 'waiting' });
        return retry(RETRY_MS);
      }
      const { plugin } = ticket;
      let shown = false;
      socket = openLiveSocket(ticket.path, {
        onFrame: (data) => {
          frames.paint(data);
          if (!shown) {
            shown = true;
            failures = 0;
            setState({ kind: 'showing', plugin });
          }
        },
        onClose: (code, reason) => {
          socket = null;
          frames.clear();
          if (code === LIVE_CLOSE.sessionEnded || code === LIVE_CLOSE.normal) {
            setState({ kind: 'waiting' });
            return retry(RETRY_MS);
          }
          failures++;
          setState({ kind: 'error', message: describeClose(code, reason) });
          retry(Math.min(RETRY_MS * 2 ** failures, MAX_RETRY_MS));
        },
      });
    }

    void watch();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [client]);

  const paintOn = useCallback((canvas: HTMLCanvasElement | null) => painter.current?.attach(canvas), []);
  return { state, paintOn };
}
