'use client';
import { mediaUrl } from '@visage/api/urls';
import Link from 'next/link';
import { toast } from 'sonner';
import { formatClock } from '@/lib/format';

/** Says where a finished recording went: a video in the gallery, with links to it. */
export function showRecordedToast(assetId: string, durationMs: number) {
  toast.success(`Recording saved (${formatClock(durationMs)})`, {
    duration: 15_000,
    description: (
      <span data-testid="recorded-toast" data-asset-id={assetId} className="flex gap-3">
        <a href={mediaUrl(assetId)} target="_blank" rel="noreferrer" className="underline">
          Play it
        </a>
        <Link href="/" className="underline">
          Open the gallery
        </Link>
      </span>
    ),
  });
}
