'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { MailPlus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Field } from '@/components/auth/field';
import { Button } from '@/components/ui/button';
import { CopyableCode } from '@/components/ui/copyable-code';
import { Label } from '@/components/ui/label';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '@/components/ui/select';
import { useTRPC } from '@/trpc/react';

/**
 * Invites an address to a team. Visage sends no email, so the admin passes the sign-up link on:
 * the invited address may sign up even while sign-up is closed, then accepts in Settings → Team.
 */
export function InviteForm({ organizationId }: { organizationId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'member' | 'admin'>('member');
  const [error, setError] = useState<string>();
  const invite = useMutation(
    trpc.team.invite.mutationOptions({
      onSuccess: () => {
        setEmail('');
        void queryClient.invalidateQueries({ queryKey: trpc.team.list.queryKey() });
      },
      onError: (e) => setError(e.message),
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setError('Enter an email address');
    setError(undefined);
    invite.mutate({ organizationId, email: email.trim(), role });
  }

  const origin = typeof window === 'undefined' ? '' : window.location.origin;
  return (
    <div className="space-y-3">
      <form
        onSubmit={submit}
        className="grid gap-x-3 gap-y-2 sm:grid-cols-[1fr_9rem_auto] sm:items-start"
        noValidate
      >
        <Field
          id={`invite-email-${organizationId}`}
          label="Invite by email"
          type="email"
          placeholder="teammate@example.com"
          value={email}
          error={error}
          onChange={(e) => setEmail(e.target.value)}
        />
        <div className="space-y-2">
          <Label htmlFor={`invite-role-${organizationId}`}>Role</Label>
          <Select value={role} onValueChange={(v) => setRole(v as 'member' | 'admin')}>
            <SelectTrigger id={`invite-role-${organizationId}`}>
              <SelectValue />
            </SelectTrigger>
            <SelectContent>
              <SelectItem value="member">Member</SelectItem>
              <SelectItem value="admin">Admin</SelectItem>
            </SelectContent>
          </Select>
        </div>
        <Button type="submit" className="sm:mt-6" disabled={invite.isPending}>
          <MailPlus aria-hidden="true" />
          Invite
        </Button>
      </form>
      {invite.data ? (
        <div role="status" className="space-y-2 rounded-lg border bg-muted/40 p-4 text-sm">
          <p>
            <strong>{invite.data.email}</strong> is invited until{' '}
            {invite.data.expiresAt.toLocaleDateString(undefined, { dateStyle: 'medium' })}. Send them this
            link; they sign up with that address and accept the invitation under Settings → Team.
          </p>
          <CopyableCode value={`${origin}/sign-up`} label="Copy the sign-up link" />
          <p className="text-xs text-muted-foreground">
            Invitation ID: <code className="font-mono break-all">{invite.data.id}</code>
          </p>
        </div>
      ) : null}
    </div>
  );
}
