import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AccountCard } from '@/components/settings/account-card';
import { ApiKeysCard } from '@/components/settings/api-keys-card';
import { AppearanceCard } from '@/components/settings/appearance-card';
import { DeviceCard } from '@/components/settings/device-card';
import { PasswordCard } from '@/components/settings/password-card';
import { SettingsNav, SettingsSection } from '@/components/settings/settings-section';
import { SignupCard } from '@/components/settings/signup-card';
import { TeamCard } from '@/components/settings/team-card';
import { PageHeader } from '@/components/shell/page-header';
import { currentUser } from '@/server/session';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const user = await currentUser();
  if (!user) redirect('/sign-in?next=%2Fsettings');
  const isAdmin = user.role === 'admin';
  const sections = [
    { id: 'account', title: 'Account' },
    { id: 'api-keys', title: 'API keys' },
    { id: 'team', title: 'Team' },
    ...(isAdmin ? [{ id: 'admin', title: 'Administration' }] : []),
  ];
  return (
    <>
      <PageHeader title="Settings" description="Your account, your teams and this Visage installation." />
      <div className="grid max-w-5xl gap-6 lg:grid-cols-[11rem_minmax(0,1fr)] lg:gap-10">
        <SettingsNav sections={sections} />
        <div className="min-w-0 space-y-10">
          <SettingsSection id="account" title="Account">
            <AccountCard user={user} />
            <PasswordCard />
            <AppearanceCard />
          </SettingsSection>
          <SettingsSection id="api-keys" title="API keys" showTitle={false}>
            <ApiKeysCard />
          </SettingsSection>
          <SettingsSection id="team" title="Team" showTitle={false}>
            <TeamCard userId={user.id} />
          </SettingsSection>
          {isAdmin ? (
            <SettingsSection id="admin" title="Administration">
              <SignupCard />
              <DeviceCard />
            </SettingsSection>
          ) : null}
        </div>
      </div>
    </>
  );
}
