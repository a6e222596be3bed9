'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { MailX, UserMinus } from 'lucide-react';
import { toast } from 'sonner';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm-button';
import { useTRPC } from '@/trpc/react';
import type { RouterOutputs } from '@/trpc/types';

export type Team = RouterOutputs['team']['list'][number];

const ROLE_LABEL: Record<string, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };

/** Members with their roles and pending invitations; owners and admins may remove and revoke. */
export function TeamMembers({ team, userId, canManage }: { team: Team; userId: string; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.team.list.queryKey() });
  const remove = useMutation(
    trpc.team.removeMember.mutationOptions({
      onSuccess: () => toast.success('Member removed'),
      onError: (e) => toast.error(e.message),
      onSettled: refresh,
    }),
  );
  const revoke = useMutation(
    trpc.team.cancelInvitation.mutationOptions({
      onSuccess: () => toast.success('Invitation revoked'),
      onError: (e) => toast.error(e.message),
      onSettled: refresh,
    }),
  );
  return (
    <div className="space-y-4">
      <ul className="divide-y rounded-lg border" aria-label={`Members of ${team.name}`}>
        {team.members.map((member) => (
          <li key={member.id} className="flex items-center gap-3 px-4 py-3">
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium">
                {member.user.name}
                {member.userId === userId ? <span className="text-muted-foreground"> (you)</span> : null}
              </p>
              <p className="truncate text-xs text-muted-foreground">{member.user.email}</p>
            </div>
            <Badge variant={member.role === 'member' ? 'outline' : 'secondary'}>
              {ROLE_LABEL[member.role] ?? member.role}
            </Badge>
            {canManage && member.role !== 'owner' && member.userId !== userId ? (
              <ConfirmButton
                title={`Remove ${member.user.name} from ${team.name}?`}
                description="They lose access to the team's shared jobs and media. Their own work stays theirs."
                confirm="Remove"
                onConfirm={() => remove.mutate({ organizationId: team.id, userId: member.userId })}
              >
                <Button
                  variant="ghost"
                  size="icon"
                  className="size-8"
                  aria-label={`Remove ${member.user.name}`}
                >
                  <UserMinus aria-hidden="true" />
                </Button>
              </ConfirmButton>
            ) : null}
          </li>
        ))}
      </ul>
      {team.invitations.length > 0 ? (
        <div className="space-y-2">
          <h4 className="text-sm font-medium">Pending invitations</h4>
          <ul className="divide-y rounded-lg border" aria-label={`Pending invitations to ${team.name}`}>
            {team.invitations.map((invitation) => (
              <li key={invitation.id} className="flex items-center gap-3 px-4 py-3">
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm">{invitation.email}</p>
                  <p className="text-xs text-muted-foreground">
                    {ROLE_LABEL[invitation.role ?? 'member'] ?? invitation.role} · expires{' '}
                    {invitation.expiresAt.toLocaleDateString(undefined, { dateStyle: 'medium' })}
                  </p>
                </div>
                <Badge variant="warning">Pending</Badge>
                {canManage ? (
                  <ConfirmButton
                    title={`Revoke the invitation of ${invitation.email}?`}
                    description="The link stops working; while sign-up is closed, they can no longer create an account."
                    confirm="Revoke invitation"
                    onConfirm={() => revoke.mutate({ id: invitation.id })}
                  >
                    <Button
                      variant="ghost"
                      size="icon"
                      className="size-8"
                      aria-label={`Revoke the invitation of ${invitation.email}`}
                    >
                      <MailX aria-hidden="true" />
                    </Button>
                  </ConfirmButton>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
