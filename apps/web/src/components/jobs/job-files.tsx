import { mediaUrl } from '@visage/api/urls';
import { Download, Play } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { downloadName } from '@/lib/bulk';
import { humanize } from '@/lib/form-fields';
import { formatClock } from '@/lib/format';
import { formatBytes } from '@/lib/upload';
import type { JobDetail } from '@/trpc/types';
import { isVideo, thumbnailUrl } from './job-media';

type Link = JobDetail['assets'][number];

/** A job's input or output files: thumbnail (opens the file), what it was for, size, download. */
export function JobFiles({ files, plugin }: { files: Link[]; plugin: string }) {
  return (
    <ul className="space-y-2">
      {files.map(({ asset, slot, position, role }) => {
        const name =
          role === 'output'
            ? downloadName({ ...asset, plugin })
            : (asset.originalName ?? downloadName({ ...asset, plugin: null }));
        const thumb = thumbnailUrl(asset);
        // A video's length shows on its thumbnail; the link's name must contain what it shows.
        const clock = isVideo(asset) && asset.durationMs ? formatClock(asset.durationMs) : null;
        return (
          <li key={`${role}-${slot}-${position}`} className="flex items-center gap-3">
            <a
              href={mediaUrl(asset.id)}
              target="_blank"
              rel="noreferrer"
              aria-label={`Open ${humanize(slot)}${position > 0 ? ` ${position + 1}` : ''}: ${asset.originalName ?? asset.mime}${clock ? `, ${clock}` : ''}`}
              className="relative size-16 shrink-0 overflow-hidden rounded-md border bg-muted focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
            >
              {thumb ? <img src={thumb} alt="" className="size-full object-cover" /> : null}
              {isVideo(asset) ? (
                <span className="absolute right-1 bottom-1 flex items-center gap-0.5 rounded bg-black/70 px-1 text-[10px] text-white tabular-nums">
                  <Play className="size-2.5 fill-current" aria-hidden="true" />
                  {clock}
                </span>
              ) : null}
            </a>
            <div className="min-w-0 flex-1 text-sm">
              <p className="truncate font-medium">{humanize(slot)}</p>
              <p className="truncate text-xs text-muted-foreground">
                {[
                  asset.originalName,
                  asset.width && asset.height ? `${asset.width}×${asset.height}` : null,
                  formatBytes(Number(asset.bytes)),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </p>
            </div>
            <Button asChild variant="ghost" size="icon" className="size-8">
              <a href={mediaUrl(asset.id)} download={name} aria-label={`Download ${humanize(slot)}`}>
                <Download aria-hidden="true" />
              </a>
            </Button>
          </li>
        );
      })}
    </ul>
  );
}
