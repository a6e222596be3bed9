'use client';
import { ProcessedCanvas } from './processed-canvas';
import { useLiveWatch } from './use-live-watch';

/**
 * The processed stream of the user's current live session, alone on a black page (an OBS browser
 * source). Only a small line of text shows while there is nothing to show.
 */
export function OutputView() {
  const { state, paintOn } = useLiveWatch();
  const showing = state.kind === 'showing';
  return (
    <main className="fixed inset-0 bg-black" data-state={state.kind}>
      {/* The app keeps a scrollbar gutter (globals.css); this page never scrolls, and OBS shows every pixel. */}
      <style>{'html { scrollbar-gutter: auto; overflow: hidden; } body { background: #000; }'}</style>
      <h1 className="sr-only">Live output</h1>
      <ProcessedCanvas paintOn={paintOn} visible={showing} />
      {showing ? null : (
        <p role="status" className="absolute bottom-3 left-3 text-xs text-neutral-400">
          {state.kind === 'error' ? `${state.message} · trying again…` : 'Waiting for a live session…'}
        </p>
      )}
    </main>
  );
}
