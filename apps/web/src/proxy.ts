// Sends visitors without a session cookie to /sign-in before any page renders. Only a quick
// check of the cookie's presence: the (app) layout verifies the session itself.
import { getSessionCookie } from 'better-auth/cookies';
import { type NextRequest, NextResponse } from 'next/server';

export function proxy(request: NextRequest) {
  if (getSessionCookie(request)) return NextResponse.next();
  const url = new URL('/sign-in', request.url);
  const { pathname, search } = request.nextUrl;
  if (pathname !== '/') url.searchParams.set('next', pathname + search);
  return NextResponse.redirect(url);
}

export const config = {
  // Everything but the API, Next's assets, the auth pages and files with an extension.
  matcher: ['/((?!api/|_next/|sign-in|sign-up|.*\\.[a-z0-9]+$).*)'],
};
