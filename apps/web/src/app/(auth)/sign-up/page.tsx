import { Info } from 'lucide-react';
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { currentUser } from '@/server/session';
import { serverCaller } from '@/trpc/server';

export const metadata: Metadata = { title: 'Sign up' };

export default async function SignUpPage() {
  if (await currentUser()) redirect('/');
  const { open, firstRun } = await (await serverCaller()).system.signupOpen();
  const title = firstRun ? 'Create the admin account' : open ? 'Create your account' : 'Sign-up is closed';
  const description = firstRun
    ? 'This is the first account on this Visage: it becomes the administrator. Sign-up closes after it; you can open it again in Settings.'
    : open
      ? 'Join this Visage to start creating.'
      : 'New accounts need an invitation.';
  return (
    <Card>
      <CardHeader>
        <h1 className="text-xl font-semibold leading-tight">{title}</h1>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent className="space-y-4">
        {!firstRun && !open ? (
          <div className="flex gap-3 rounded-lg border bg-muted/50 p-3 text-sm" role="note">
            <Info className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
            <p>
              Ask an administrator of this Visage to invite your email address to a team, or to open sign-up
              in Settings. With an invitation, sign up below using the invited address.
            </p>
          </div>
        ) : null}
        <SignUpForm submitLabel={firstRun ? 'Create admin account' : 'Create account'} />
      </CardContent>
    </Card>
  );
}
