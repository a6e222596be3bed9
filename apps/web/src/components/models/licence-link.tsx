import { ExternalLink } from 'lucide-react';
import { cn } from '@/lib/utils';

/** A model licence's name, linking to its text in a new tab. */
export function LicenceLink({
  licence,
  className,
}: {
  licence: { name: string; url: string };
  className?: string;
}) {
  return (
    <a
      href={licence.url}
      className={cn('inline-flex items-center gap-1 underline-offset-4 hover:underline', className)}
      target="_blank"
      rel="noreferrer"
    >
      {licence.name}
      <ExternalLink className="size-3" aria-hidden="true" />
      <span className="sr-only">(licence, opens in a new tab)</span>
    </a>
  );
}
