// The session cookie is Secure behind https and cannot be over plain http (docs/security.md §5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSignupLock } from '../src/signup-lock.ts';
import { createTestApi } from './support.ts';

describe.each([
  ['https://visage.example', true],
  ['http://visage.example:3000', false],
])('session cookies with BETTER_AUTH_URL %s', (baseURL, secure) => {
  let api: Awaited<ReturnType<typeof createTestApi>>;
  beforeAll(async () => {
    api = await createTestApi({ baseURL });
  }, 60_000);
  afterAll(() => api?.close());

  it(`should ${secure ? '' : 'not '}be Secure`, async () => {
    const request = new Request(`${baseURL}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: baseURL },
      body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery', name: 'ada' }),
    });
    const response = await withSignupLock(api.services.db, () => api.services.auth.handler(request));
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((c) => /session_token=/.test(c));
    expect(session, cookies.join('\n')).toBeDefined();
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    if (secure) expect(session).toMatch(/^__Secure-better-auth\.session_token=.*;\s*Secure/i);
    else expect(session).not.toMatch(/Secure/i);
  });
});
