import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignInForm } from '@/components/auth/sign-in-form';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { safeNext } from '@/lib/safe-next';
import { currentUser } from '@/server/session';
import { serverCaller } from '@/trpc/server';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const next = safeNext((await searchParams).next);
  if (await currentUser()) redirect(next);
  // A fresh installation has nobody to sign in as: start with the admin account.
  if ((await (await serverCaller()).system.signupOpen()).firstRun) redirect('/sign-up');
  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl font-semibold leading-tight">Sign in to Visage</h1>
        <CardDescription>Welcome back.</CardDescription>
      </CardHeader>
      <CardContent>
        <SignInForm next={next} />
      </CardContent>
    </Card>
  );
}
