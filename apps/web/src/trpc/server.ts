// Server components call procedures directly (no HTTP), as the signed-in user of this request.
import { createCaller, createContext } from '@visage/api';
import { headers } from 'next/headers';
import { cache } from 'react';
import { services } from '@/server/services';

/** One caller per request (React `cache`), resolving the session once. */
export const serverCaller = cache(async () => {
  const api = await services();
  return createCaller(await createContext(api, new Headers(await headers())));
});
