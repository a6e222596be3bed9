import { ImageOff } from 'lucide-react';
import { cn } from '@/lib/utils';

/** A card's square picture (decorative: the card says what it is), or a placeholder without one. */
export function Thumbnail({ src, className }: { src: string | null; className?: string }) {
  if (!src) {
    return (
      <span className="flex size-full items-center justify-center text-muted-foreground">
        <ImageOff className="size-6" aria-hidden="true" />
      </span>
    );
  }
  return <img src={src} alt="" loading="lazy" className={cn('size-full object-cover', className)} />;
}
