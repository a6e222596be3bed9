import type { Metadata } from 'next';
import { JobView } from '@/components/jobs/job-view';
import { enabledPlugins } from '@/server/plugins';

export const metadata: Metadata = { title: 'Job' };

export default async function JobPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const titles = Object.fromEntries((await enabledPlugins()).map((p) => [p.id, p.title]));
  return <JobView id={id} pluginTitles={titles} />;
}
