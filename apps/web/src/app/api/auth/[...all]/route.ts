import { withSignupLock } from '@visage/api';
import { toNextJsHandler } from 'better-auth/next-js';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

async function handler() {
  const { auth } = await services();
  return toNextJsHandler(auth);
}

export async function GET(request: Request): Promise<Response> {
  return (await handler()).GET(request);
}

export async function POST(request: Request): Promise<Response> {
  const { db } = await services();
  const { POST: post } = await handler();
  // One sign-up at a time across all web processes: the first account becomes admin, exactly once.
  if (new URL(request.url).pathname.endsWith('/sign-up/email'))
    return withSignupLock(db, () => post(request));
  return post(request);
}
