import type { Metadata } from 'next';
import { LiveStudio } from '@/components/live/live-studio';
import { PageHeader } from '@/components/shell/page-header';
import { uploadLimits } from '@/server/plugins';
import { serverCaller } from '@/trpc/server';

export const metadata: Metadata = { title: 'Live' };

export default async function LivePage() {
  // Fetched with the page so the form renders at once; the client refreshes the free slots.
  const modes = await (await serverCaller()).live.modes();
  return (
    <>
      <PageHeader
        title="Live"
        description="Your camera through face swap or portrait animation, in real time. Record to the gallery, or show the output view in OBS."
      />
      <LiveStudio
        // Through JSON: the JSON Schemas zod makes are not plain objects, and client components take only those.
        initialModes={JSON.parse(JSON.stringify(modes))}
        limits={uploadLimits()}
      />
    </>
  );
}
