// Cross-site request checks for Visage's own state-changing routes (tRPC, upload, zip; better-auth
// checks its routes itself): docs/security.md §6.
import { config } from './config.ts';
import { HttpError } from './request-caller.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * True for a cookie-authenticated, state-changing request from another site, which must be refused
 * (the cookie is SameSite=Lax too). Such a request must come from BETTER_AUTH_URL's origin or one in
 * VISAGE_TRUSTED_ORIGINS. API-key requests carry no cookie and may come from anywhere; a browser
 * request without Origin is judged by Sec-Fetch-Site.
 */
export function crossSiteCookieRequest(request: Request): boolean {
  if (SAFE_METHODS.has(request.method) || !request.headers.get('cookie')) return false;
  const origin = request.headers.get('origin');
  if (origin === null) return request.headers.get('sec-fetch-site') === 'cross-site';
  const c = config();
  return origin !== new URL(c.BETTER_AUTH_URL).origin && !c.trustedOrigins.includes(origin);
}

const REFUSED = 'Cross-site request refused: send it from Visage itself, or with an API key';

/** The 403 for a refused cross-site request, in the usual { error, code } shape. */
export function crossSiteRefused(): Response {
  return Response.json({ error: REFUSED, code: 'FORBIDDEN' }, { status: 403 });
}

/** Throws the 403 (as an HttpError, for route handlers that answer through errorResponse). */
export function refuseCrossSite(request: Request): void {
  if (crossSiteCookieRequest(request)) throw new HttpError(403, REFUSED, 'FORBIDDEN');
}
