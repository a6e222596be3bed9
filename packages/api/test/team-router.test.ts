// The team router's invitation and membership procedures through createCaller: who may revoke and
// remove, and an invited account joining by accepting its invitation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi } from './support.ts';

describe('team router', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  let owner: Awaited<ReturnType<typeof api.callerFor>>;
  let ownerId: string;
  let teamId: string;

  const invite = (email: string) =>
    api.services.db.invitation.create({
      data: {
        id: `inv-${email}`,
        organizationId: teamId,
        email,
        role: 'member',
        status: 'pending',
        expiresAt: new Date(Date.now() + 86_400_000),
        inviterId: ownerId,
      },
    });

  beforeAll(async () => {
    api = await createTestApi();
    ownerId = (await api.signUp('olga@example.com')).body.user?.id ?? '';
    owner = await api.callerFor(ownerId);
    teamId = (await owner.team.create({ name: 'Crew' })).id;
    owner = await api.callerFor(ownerId); // a caller's teams are read when it is made
  });
  afterAll(() => api.close());

  it('should let an invited account see and accept its invitation, then list it as a member', async () => {
    await invite('ivan@example.com');
    await invite('ines@example.com');
    expect((await owner.team.list())[0]?.invitations.map((i) => i.email).sort()).toEqual([
      'ines@example.com',
      'ivan@example.com',
    ]);
    const ivanId = (await api.signUp('ivan@example.com')).body.user?.id ?? ''; // allowed: invited
    const ivan = await api.callerFor(ivanId);
    const [mine] = await ivan.team.myInvitations();
    expect(mine?.organization.name).toBe('Crew');
    await ivan.team.acceptInvitation({ id: mine?.id ?? '' });
    owner = await api.callerFor(ownerId);
    const team = (await owner.team.list())[0];
    expect(team?.members.map((m) => [m.user.email, m.role])).toEqual([
      ['olga@example.com', 'owner'],
      ['ivan@example.com', 'member'],
    ]);
    expect(team?.invitations.map((i) => i.email)).toEqual(['ines@example.com']);
    await expect(ivan.team.acceptInvitation({ id: mine?.id ?? '' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('should let only owners and admins revoke invitations and remove members, never the owner', async () => {
    const ivan = await api.callerFor(
      (await api.services.db.user.findUniqueOrThrow({ where: { email: 'ivan@example.com' } })).id,
    );
    await expect(ivan.team.cancelInvitation({ id: 'inv-ines@example.com' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await owner.team.cancelInvitation({ id: 'inv-ines@example.com' });
    expect((await owner.team.list())[0]?.invitations).toEqual([]);

    await expect(ivan.team.removeMember({ organizationId: teamId, userId: ownerId })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const ivanId = (await ivan.team.list())[0]?.members.find(
      (m) => m.user.email === 'ivan@example.com',
    )?.userId;
    await owner.team.removeMember({ organizationId: teamId, userId: ivanId ?? '' });
    expect((await owner.team.list())[0]?.members).toHaveLength(1);
    // A caller's teams are read when it is made: ask as Ivan anew.
    expect(await (await api.callerFor(ivanId ?? '')).team.list()).toEqual([]);
  });
});
