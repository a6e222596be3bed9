import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { enabledPlugins } from '@/server/plugins';
import { currentUser } from '@/server/session';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: ReactNode }) {
  // proxy.ts only saw a cookie; an expired or revoked session is caught here.
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  const plugins = (await enabledPlugins()).map(({ id, title }) => ({ id, title }));
  return (
    <AppShell user={user} plugins={plugins}>
      {children}
    </AppShell>
  );
}
