import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCaller } from '../src/context.ts';
import { setSignupOpen } from '../src/settings.ts';
import { createTestApi, sha256base64url } from './support.ts';

describe('accounts', () => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  beforeAll(async () => {
    api = await createTestApi();
  });
  afterAll(() => api.close());

  it('should make exactly one admin out of concurrent first sign-ups, then close sign-up', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => api.signUp(`racer${n}@example.com`)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 403, 403, 403, 403]);
    expect(results.find((r) => r.status === 200)?.body.user?.role).toBe('admin');
    expect(await api.services.db.user.count({ where: { role: 'admin' } })).toBe(1);
  });

  it('should let an invited address sign up while sign-up is closed, and nobody else', async () => {
    const admin = await api.services.db.user.findFirstOrThrow({ where: { role: 'admin' } });
    const caller = await api.callerFor(admin.id);
    const team = await caller.team.create({ name: 'Studio' });
    const session = await api.services.auth.api.signInEmail({
      body: { email: admin.email, password: 'correct horse battery' },
      returnHeaders: true,
    });
    const cookie = session.headers.get('set-cookie')?.split(';')[0] ?? '';
    await api.services.auth.api.createInvitation({
      headers: new Headers({ cookie }),
      body: { organizationId: team.id, email: 'invited@example.com', role: 'member' },
    });
    expect((await api.signUp('stranger@example.com')).status).toBe(403);
    const invited = await api.signUp('invited@example.com');
    expect(invited.status).toBe(200);
    expect(invited.body.user?.role).toBe('user');
  });

  it('should open sign-up for everyone when an admin says so', async () => {
    await setSignupOpen(api.services.db, true);
    expect((await api.signUp('walk-in@example.com')).status).toBe(200);
    await setSignupOpen(api.services.db, false);
    expect((await api.signUp('late@example.com')).status).toBe(403);
  });

  it('should only let an admin change the sign-up setting', async () => {
    const user = await api.services.db.user.findFirstOrThrow({ where: { email: 'walk-in@example.com' } });
    await expect((await api.callerFor(user.id)).system.setSignupOpen({ open: true })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('should authenticate an API key like a session, store only its hash, and refuse it once revoked', async () => {
    const user = await api.services.db.user.findFirstOrThrow({ where: { email: 'walk-in@example.com' } });
    const caller = await api.callerFor(user.id);
    const created = await caller.apiKeys.create({ name: 'cli' });
    const row = await api.services.db.apikey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.key).not.toBe(created.key);
    expect(row.key).toBe(sha256base64url(created.key));

    const bearer = new Headers({ authorization: `Bearer ${created.key}` });
    for (let i = 0; i < 15; i++) {
      // well past better-auth's default of 10 requests a day per key
      expect((await resolveCaller(api.services, bearer))?.userId).toBe(user.id);
    }
    await caller.apiKeys.revoke({ id: created.id });
    await expect(resolveCaller(api.services, bearer)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(
      resolveCaller(api.services, new Headers({ authorization: 'Bearer visage_wrong' })),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    expect(await resolveCaller(api.services, new Headers())).toBeNull();
  });
});
