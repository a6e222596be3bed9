import type { Metadata } from 'next';
import { ModelList } from '@/components/models/model-list';
import { PageHeader } from '@/components/shell/page-header';
import { currentUser } from '@/server/session';

export const metadata: Metadata = { title: 'Models' };

export default async function ModelsPage() {
  const user = await currentUser();
  const isAdmin = user?.role === 'admin';
  return (
    <>
      <PageHeader
        title="Models"
        description={
          isAdmin
            ? 'Weights the plugins run on. Check each licence before you download or use a model.'
            : 'Weights the plugins run on. An administrator downloads them; check each licence before you use one.'
        }
      />
      <ModelList isAdmin={isAdmin} />
    </>
  );
}
