import type { Metadata } from 'next';
import { QueueList } from '@/components/queue/queue-list';
import { PageHeader } from '@/components/shell/page-header';
import { enabledPlugins } from '@/server/plugins';
import { currentUser } from '@/server/session';

export const metadata: Metadata = { title: 'Queue' };

export default async function QueuePage() {
  const [plugins, user] = await Promise.all([enabledPlugins(), currentUser()]);
  const titles = Object.fromEntries(plugins.map((p) => [p.id, p.title]));
  return (
    <>
      <PageHeader
        title="Queue"
        description="Jobs of yours and your teams: running, waiting, and just finished."
      />
      <QueueList pluginTitles={titles} userId={user?.id ?? ''} />
    </>
  );
}
