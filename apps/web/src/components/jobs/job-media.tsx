import { assetUrls, mediaUrl } from '@visage/api/urls';
import { ImageIcon, LoaderCircle } from 'lucide-react';
import type { ReactNode } from 'react';
import { CompareSlider } from '@/components/ui/compare-slider';
import type { JobStatus } from './job-status-badge';

export interface MediaAsset {
  id: string;
  mime: string;
  thumbnailKey: string | null;
}

export const thumbnailUrl = (a: MediaAsset) =>
  assetUrls(a.id, a.thumbnailKey !== null).thumbnailUrl ?? undefined;
export const isVideo = (a: MediaAsset) => a.mime.startsWith('video/');

/**
 * The big picture of a job, in a box of fixed shape so nothing moves as it changes: the output
 * (against the original when `before` is given: a face swap of an image), else the latest preview,
 * else a placeholder saying what is happening.
 */
export function JobMedia({
  status,
  output,
  before,
  previewUrl,
}: {
  status: JobStatus;
  output: MediaAsset | undefined;
  before?: MediaAsset;
  previewUrl: string | null;
}) {
  let content: ReactNode;
  if (output && isVideo(output)) {
    // Range requests on /api/media let the player fetch only what it shows, so scrubbing is quick.
    content = (
      // biome-ignore lint/a11y/useMediaCaption: generated video has no speech to caption
      <video
        src={mediaUrl(output.id)}
        poster={thumbnailUrl(output)}
        controls
        preload="metadata"
        aria-label="Result video"
        className="size-full bg-black object-contain"
      />
    );
  } else if (output && before) {
    content = (
      <CompareSlider
        before={{ src: mediaUrl(before.id), alt: 'Original' }}
        after={{ src: mediaUrl(output.id), alt: 'Result' }}
        beforeLabel="Original"
        afterLabel="Result"
        label="Compare the original with the result"
      />
    );
  } else if (output) {
    content = <img src={mediaUrl(output.id)} alt="Result" className="size-full object-contain" />;
  } else if (previewUrl) {
    content = (
      <img src={previewUrl} alt="Preview of the result so far" className="size-full object-contain" />
    );
  } else {
    const waiting = status === 'queued' || status === 'running';
    content = (
      <div className="flex size-full flex-col items-center justify-center gap-2 text-sm text-muted-foreground">
        {waiting ? (
          <LoaderCircle className="size-6 animate-spin" aria-hidden="true" />
        ) : (
          <ImageIcon className="size-6" aria-hidden="true" />
        )}
        <span>
          {status === 'queued'
            ? 'Waiting for a worker…'
            : status === 'running'
              ? 'A preview appears here as it runs'
              : status === 'cancelled'
                ? 'Cancelled before it finished'
                : 'No result'}
        </span>
      </div>
    );
  }
  return <div className="aspect-[4/3] w-full overflow-hidden rounded-lg border bg-muted/50">{content}</div>;
}
