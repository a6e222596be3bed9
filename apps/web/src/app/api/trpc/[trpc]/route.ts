import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter, createContext } from '@visage/api';
import { databaseErrorReason, outageMessage } from '@visage/db';
import { log } from '@/server/logger';
import { crossSiteCookieRequest, crossSiteRefused } from '@/server/same-origin';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

async function handle(req: Request): Promise<Response> {
  if (crossSiteCookieRequest(req)) return crossSiteRefused();
  const api = await services();
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContext(api, req.headers),
    onError({ error, path }) {
      // Client mistakes are answered with their error; server faults are logged with context. A lost
      // database or Redis is answered 503 by the errorFormatter and logged as the outage it is.
      const outage = outageMessage(error);
      if (outage)
        log().warn({ path, reason: databaseErrorReason(error) }, `tRPC procedure failed: ${outage}`);
      else if (error.code === 'INTERNAL_SERVER_ERROR')
        log().error({ err: error, path }, 'tRPC procedure failed');
    },
  });
}

export { handle as GET, handle as POST };
