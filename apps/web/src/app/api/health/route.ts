import { config } from '@/server/config';
import { checkHealth } from '@/server/health';
import { log } from '@/server/logger';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

/** 200 when PostgreSQL and Redis answer, 503 otherwise; the body says which failed and why. */
export async function GET(): Promise<Response> {
  const health = await checkHealth({ ...(await services()), redisPrefix: config().REDIS_PREFIX });
  if (health.status !== 'ok') log().warn({ health }, 'health check failed');
  return Response.json(health, {
    status: health.status === 'ok' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}
