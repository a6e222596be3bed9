import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter, createContext } from '@visage/api';
import { config } from '@/server/config';
import { log } from '@/server/logger';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

/**
 * A cookie-authenticated POST must come from Visage's own pages (the cookie is SameSite=Lax too).
 * API-key requests carry no cookie and may come from anywhere.
 */
function crossSiteCookiePost(req: Request): boolean {
  if (req.method !== 'POST' || !req.headers.get('cookie')) return false;
  const origin = req.headers.get('origin');
  const c = config();
  return (
    origin !== null && origin !== new URL(c.BETTER_AUTH_URL).origin && !c.trustedOrigins.includes(origin)
  );
}

async function handle(req: Request): Promise<Response> {
  if (crossSiteCookiePost(req)) {
    return Response.json({ error: 'Cross-site request refused', code: 'FORBIDDEN' }, { status: 403 });
  }
  const api = await services();
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContext(api, req.headers),
    onError({ error, path }) {
      // Client mistakes are answered with their error; server faults are logged with context.
      if (error.code === 'INTERNAL_SERVER_ERROR') log().error({ err: error, path }, 'tRPC procedure failed');
    },
  });
}

export { handle as GET, handle as POST };
