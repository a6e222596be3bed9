'use client';
import { Webcam } from 'lucide-react';
import { type ReactNode, useEffect, useRef } from 'react';
import { cn } from '@/lib/utils';
import { ProcessedCanvas } from './processed-canvas';

export type StageView = 'side-by-side' | 'processed';

/** The camera as it is (not mirrored: the same way round as the processed picture beside it). */
function CameraPreview({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = stream;
    void video.play().catch(() => undefined); // autoplay refused: the frames still go out
  }, [stream]);
  return <video ref={ref} muted playsInline aria-label="Your camera" className="size-full object-contain" />;
}

function Panel({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <figure className={cn('relative aspect-[4/3] min-w-0 overflow-hidden rounded-lg bg-black', className)}>
      {children}
      <figcaption className="absolute bottom-2 left-2 rounded bg-black/70 px-1.5 py-0.5 text-xs text-white">
        {label}
      </figcaption>
    </figure>
  );
}

/**
 * The processed stream (always mounted: the painter draws into it), with the raw camera beside it
 * in the side-by-side view. `overlay` sits over the processed picture; `empty` shows before a start.
 */
export function LiveStage({
  view,
  stream,
  paintOn,
  running,
  overlay,
  empty,
}: {
  view: StageView;
  stream: MediaStream | null;
  paintOn(canvas: HTMLCanvasElement | null): void;
  running: boolean;
  overlay?: ReactNode;
  empty?: ReactNode;
}) {
  const sideBySide = view === 'side-by-side';
  return (
    <div
      data-testid="live-stage"
      className={cn('grid gap-3', sideBySide && 'sm:grid-cols-2')}
      data-running={running}
    >
      {sideBySide ? (
        // On a phone an empty camera panel would only push the controls down.
        <Panel label="Camera" className={stream ? undefined : 'hidden sm:block'}>
          {stream ? (
            <CameraPreview stream={stream} />
          ) : (
            <p className="flex size-full items-center justify-center text-sm text-neutral-300">Camera off</p>
          )}
        </Panel>
      ) : null}
      <Panel label="Processed">
        <ProcessedCanvas paintOn={paintOn} visible={running} />
        {running ? null : (
          <div className="absolute inset-0 flex flex-col items-center justify-center gap-3 p-6 text-center text-sm text-neutral-300">
            <Webcam className="size-8" aria-hidden="true" />
            {empty}
          </div>
        )}
        {overlay}
      </Panel>
    </div>
  );
}
