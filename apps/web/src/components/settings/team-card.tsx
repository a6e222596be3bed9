'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Users } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { toast } from 'sonner';
import { Field } from '@/components/auth/field';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Skeleton } from '@/components/ui/skeleton';
import { useTRPC } from '@/trpc/react';
import { InviteForm } from './invite-form';
import { TeamMembers } from './team-members';

/** Teams share jobs and media. Lists the caller's teams, invitations to them, and makes new ones. */
export function TeamCard({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const teams = useQuery(trpc.team.list.queryOptions());
  return (
    <Card>
      <CardHeader>
        <CardTitle>Team</CardTitle>
        <CardDescription>People in a team see the jobs and media shared with it.</CardDescription>
      </CardHeader>
      <CardContent className="space-y-8">
        <InvitationsForMe />
        {teams.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : teams.isError ? (
          <p className="text-sm text-destructive">{teams.error.message}</p>
        ) : (
          <>
            {teams.data.map((team) => {
              const role = team.members.find((m) => m.userId === userId)?.role;
              const canManage = role === 'owner' || role === 'admin';
              return (
                <section key={team.id} aria-labelledby={`team-${team.id}`} className="space-y-4">
                  <h3 id={`team-${team.id}`} className="font-medium">
                    {team.name}
                  </h3>
                  <TeamMembers team={team} userId={userId} canManage={canManage} />
                  {canManage ? <InviteForm organizationId={team.id} /> : null}
                </section>
              );
            })}
            <CreateTeamForm first={teams.data.length === 0} />
          </>
        )}
      </CardContent>
    </Card>
  );
}

function CreateTeamForm({ first }: { first: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const create = useMutation(
    trpc.team.create.mutationOptions({
      onSuccess: (team) => {
        toast.success(`Team ${team.name} created`);
        setName('');
        void queryClient.invalidateQueries({ queryKey: trpc.team.list.queryKey() });
        router.refresh(); // the studio's "share with" choices come from the server
      },
      onError: (e) => setError(e.message),
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return setError('Name the team');
    setError(undefined);
    create.mutate({ name: name.trim() });
  }
  return (
    <div className={first ? 'space-y-3' : 'space-y-3 border-t pt-6'}>
      {first ? (
        <div className="flex items-start gap-3 text-sm text-muted-foreground">
          <Users className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <p>You are not in a team yet. Create one to invite people and share work with them.</p>
        </div>
      ) : null}
      <form onSubmit={submit} className="flex flex-col gap-2 sm:flex-row sm:items-start sm:gap-3" noValidate>
        <div className="flex-1">
          <Field
            id="team-name"
            label={first ? 'Team name' : 'New team'}
            placeholder="Studio"
            value={name}
            maxLength={64}
            error={error}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <Button type="submit" variant="outline" className="sm:mt-6" disabled={create.isPending}>
          Create team
        </Button>
      </form>
    </div>
  );
}

/** Invitations addressed to the caller (someone invited them before they signed up). */
function InvitationsForMe() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.team.myInvitations.queryOptions());
  const accept = useMutation(
    trpc.team.acceptInvitation.mutationOptions({
      onSuccess: () => {
        toast.success('You joined the team');
        void queryClient.invalidateQueries({ queryKey: trpc.team.pathKey() });
      },
      onError: (e) => toast.error(e.message),
    }),
  );
  if (!invitations.data || invitations.data.length === 0) return null;
  return (
    <ul className="space-y-2" aria-label="Invitations for you">
      {invitations.data.map((invitation) => (
        <li
          key={invitation.id}
          className="flex flex-wrap items-center gap-3 rounded-lg border border-primary/30 bg-primary/5 px-4 py-3 text-sm"
        >
          <p className="min-w-0 flex-1">
            You are invited to <strong>{invitation.organization.name}</strong> as{' '}
            {invitation.role ?? 'member'}.
          </p>
          <Button size="sm" disabled={accept.isPending} onClick={() => accept.mutate({ id: invitation.id })}>
            Join {invitation.organization.name}
          </Button>
        </li>
      ))}
    </ul>
  );
}
