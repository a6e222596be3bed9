import { Plus } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { filterFromParams } from '@/components/gallery/gallery-filter';
import { GalleryGrid } from '@/components/gallery/gallery-grid';
import { PageHeader } from '@/components/shell/page-header';
import { Button } from '@/components/ui/button';
import { enabledPlugins } from '@/server/plugins';

export const metadata: Metadata = { title: 'Gallery' };

export default async function GalleryPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const plugins = (await enabledPlugins()).map(({ id, title }) => ({ id, title }));
  const [first] = plugins;
  const createHref = first ? `/create/${first.id}` : null;
  return (
    <>
      <PageHeader
        title="Gallery"
        description="Everything you have made, newest first."
        actions={
          createHref ? (
            <Button asChild>
              <Link href={createHref}>
                <Plus aria-hidden="true" /> New
              </Link>
            </Button>
          ) : null
        }
      />
      <GalleryGrid
        createHref={createHref}
        plugins={plugins}
        initialFilter={filterFromParams(await searchParams)}
      />
    </>
  );
}
