// The signed-in user of the current request, for server components and their redirects.
import { isAPIError } from 'better-auth/api';
import { headers } from 'next/headers';
import { cache } from 'react';
import { services } from './services.ts';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'user';
}

export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const { auth } = await services();
  let session: Awaited<ReturnType<typeof auth.api.getSession>>;
  try {
    session = await auth.api.getSession({ headers: new Headers(await headers()) });
  } catch (error) {
    // An invalid or revoked credential is the same as none for a page: sign in again. Anything
    // else (the database down…) is a real error and goes to the error page.
    if (isAPIError(error)) return null;
    throw error;
  }
  if (!session || session.user.banned) return null;
  const { id, name, email, role } = session.user;
  return { id, name, email, role: role === 'admin' ? 'admin' : 'user' };
});
