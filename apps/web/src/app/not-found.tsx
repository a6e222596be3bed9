import { SearchX } from 'lucide-react';
import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

export default function NotFound() {
  return (
    <main id="main" className="mx-auto flex min-h-dvh max-w-xl items-center px-4">
      <EmptyState
        className="w-full"
        icon={SearchX}
        title="Page not found"
        description="There is nothing at this address."
        action={
          <Button asChild>
            <Link href="/">Back to the gallery</Link>
          </Button>
        }
      />
    </main>
  );
}
