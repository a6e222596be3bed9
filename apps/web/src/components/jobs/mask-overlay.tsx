'use client';
import { mediaUrl } from '@visage/api/urls';
import { ScanFace } from 'lucide-react';
import { type ReactNode, useState } from 'react';
import { Button } from '@/components/ui/button';
import { cn } from '@/lib/utils';
import { isVideo, type MediaAsset } from './job-media';

// The face swap's `mask` output (docs/models/face.md §7.6): a greyscale PNG of the frame's size,
// white where the new face fully replaced the frame, black where the original stayed.

const TINT_FILTER = 'visage-mask-tint';
// Tint colour (fuchsia-500); a face's skin tones are far from it in both themes.
const TINT = [0.851, 0.275, 0.937] as const;

/**
 * Recolours the mask to the tint with alpha = its grey level, so swapped areas glow and unswapped
 * ones stay clear. An SVG filter rather than a CSS luminance mask: the PNG has no alpha channel, and
 * where `mask-mode` is unsupported a CSS mask would read that (opaque everywhere) and tint it all.
 */
function TintFilter() {
  return (
    <svg aria-hidden="true" className="absolute size-0" focusable="false">
      <filter id={TINT_FILTER} colorInterpolationFilters="sRGB">
        <feColorMatrix
          type="matrix"
          values={`0 0 0 0 ${TINT[0]}  0 0 0 0 ${TINT[1]}  0 0 0 0 ${TINT[2]}  1 0 0 0 0`}
        />
      </filter>
    </svg>
  );
}

/**
 * The job's picture with its swap mask. For an image result, a "Show mask" toggle lays the tinted
 * mask over the result (in place of `children`, the usual view); for a video, the mask (of the first
 * frame with a swapped face) is shown beside the player.
 */
export function MaskView({
  result,
  mask,
  children,
}: {
  result: MediaAsset;
  mask: MediaAsset;
  children: ReactNode;
}) {
  const [shown, setShown] = useState(false);

  if (isVideo(result)) {
    return (
      <div className="grid gap-4 sm:grid-cols-[minmax(0,1fr)_12rem] sm:items-start">
        {children}
        <figure className="space-y-2">
          <img
            src={mediaUrl(mask.id)}
            alt="Swap mask of the first frame with a swapped face"
            className="w-full rounded-lg border bg-black object-contain"
          />
          <figcaption className="text-xs text-muted-foreground">
            Mask of the first frame with a swapped face: white where the new face was pasted, black where the
            original stayed.
          </figcaption>
        </figure>
      </div>
    );
  }

  return (
    <div className="space-y-3">
      {shown ? (
        <div className="relative aspect-[4/3] w-full overflow-hidden rounded-lg border bg-muted/50">
          <TintFilter />
          <img src={mediaUrl(result.id)} alt="Result" className="absolute inset-0 size-full object-contain" />
          {/* Same size as the result and the same object-contain box, so the two line up pixel for pixel. */}
          <img
            src={mediaUrl(mask.id)}
            alt="Mask: where the new face was pasted"
            data-testid="mask-overlay"
            className="absolute inset-0 size-full object-contain opacity-70"
            style={{ filter: `url(#${TINT_FILTER})` }}
          />
        </div>
      ) : (
        children
      )}
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <Button
          variant="outline"
          size="sm"
          aria-pressed={shown}
          onClick={() => setShown((s) => !s)}
          className={cn(shown && 'bg-accent text-accent-foreground')}
        >
          <ScanFace aria-hidden="true" />
          Show mask
        </Button>
        {/* Kept in the layout while hidden so toggling moves nothing. */}
        <p
          className={cn('flex items-center gap-2 text-xs text-muted-foreground', !shown && 'invisible')}
          aria-hidden={!shown}
        >
          <span
            aria-hidden="true"
            className="inline-block h-3 w-8 rounded-sm border bg-linear-to-r from-transparent to-fuchsia-500/70"
          />
          Tinted: where the new face was pasted; stronger = more
        </p>
      </div>
    </div>
  );
}
