'use client';
import { cn } from '@/lib/utils';

/**
 * The canvas processed frames are painted on (frame-painter.ts), on the Live page and in the output
 * view; kept laid out but invisible while there is nothing to show, so it never jumps.
 */
export function ProcessedCanvas({
  paintOn,
  visible,
}: {
  paintOn(canvas: HTMLCanvasElement | null): void;
  visible: boolean;
}) {
  return (
    <canvas
      ref={paintOn}
      data-testid="live-output"
      role="img"
      aria-label="The processed camera stream"
      className={cn('size-full object-contain', !visible && 'invisible')}
    />
  );
}
