'use client';
// The Live page's session as React state: the controller (live-session.ts) does the work, this
// hook keeps its state, turns its events into toasts, and releases the camera when the page goes.
import { useCallback, useEffect, useRef, useState } from 'react';
import { toast } from 'sonner';
import { IDLE, LiveSessionController, type LiveState, type LiveTicket } from './live-session';
import { showRecordedToast } from './recorded-toast';

export function useLiveSession() {
  const [state, setState] = useState<LiveState>(IDLE);
  const controller = useRef<LiveSessionController | null>(null);
  controller.current ??= new LiveSessionController({
    onState: setState,
    onRecorded: showRecordedToast,
    // One warning toast at a time: a problem with every frame must not stack up a pile of them.
    onWarning: (message) => toast.warning(message, { id: 'live-warning' }),
    onError: (message) => toast.error(message, { id: 'live-error' }),
  });
  useEffect(() => {
    const session = controller.current;
    return () => session?.dispose();
  }, []);

  const session = controller.current;
  const start = useCallback(
    (plugin: string, deviceId: string | null, requestTicket: () => Promise<LiveTicket>) =>
      void session.start({ plugin, deviceId, requestTicket }),
    [session],
  );
  const paintOn = useCallback(
    (canvas: HTMLCanvasElement | null) => session.painter.attach(canvas),
    [session],
  );
  return {
    state,
    start,
    stop: useCallback(() => void session.stop(), [session]),
    record: useCallback((action: 'start' | 'stop') => session.record(action), [session]),
    switchCamera: useCallback((deviceId: string) => void session.switchCamera(deviceId), [session]),
    /** Ref for the canvas the processed frames are drawn on. */
    paintOn,
  };
}
