import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { OutputView } from '@/components/live/output-view';
import { currentUser } from '@/server/session';

export const metadata: Metadata = { title: 'Live output' };
export const dynamic = 'force-dynamic';

/** Outside the (app) group: no shell, only the stream. Signed in like every other page. */
export default async function LiveOutputPage() {
  // proxy.ts only saw a cookie; an expired or revoked session is caught here, as (app)/layout.tsx does.
  if (!(await currentUser())) redirect('/sign-in?next=/live-output');
  return <OutputView />;
}
