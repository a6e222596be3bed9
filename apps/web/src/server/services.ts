// The web process's API services (database, Redis, auth, queues, media store, model commands for the
// workers, which own the models: docs/architecture.md §7.4), created once on first use and kept on
// globalThis so Next's dev-mode reloads reuse them instead of leaking pools.
import { type ApiServices, createApiServices } from '@visage/api';
import { enabledPluginIds } from '@visage/plugins/schemas';
import { config } from './config.ts';
import { log } from './logger.ts';

type Services = ApiServices & { redisConnectionError(): string | undefined };
const globalForServices = globalThis as typeof globalThis & { visageServices?: Promise<Services> };

async function create(): Promise<Services> {
  const c = config();
  let lastRedisError: string | undefined;
  const services = await createApiServices({
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    redisPrefix: c.REDIS_PREFIX,
    authSecret: c.BETTER_AUTH_SECRET,
    baseURL: c.BETTER_AUTH_URL,
    trustedOrigins: c.trustedOrigins,
    rateLimit: c.authRateLimit,
    mediaDir: c.mediaDir,
    maxImageBytes: c.maxImageBytes,
    maxVideoBytes: c.maxVideoBytes,
    plugins: enabledPluginIds({ enableTestPlugin: c.VISAGE_ENABLE_TEST_PLUGIN }),
    liveSessionsPerUser: c.VISAGE_LIVE_SESSIONS_PER_USER,
    connectionName: `visage-web:${process.pid}`,
    onError: (error, context) => {
      // ioredis emits on every reconnect attempt; log each distinct failure once.
      if (context === 'redis') {
        if (error.message === lastRedisError) return;
        lastRedisError = error.message;
      }
      log().warn({ err: error }, `${context} error`);
    },
  });
  const swept = await services.media.sweepTemp();
  if (swept > 0) log().info({ swept }, 'removed files left by interrupted uploads');
  services.redis.on('ready', () => {
    lastRedisError = undefined;
  });
  return {
    ...services,
    redisConnectionError: () => (services.redis.status === 'ready' ? undefined : lastRedisError),
  };
}

export function services(): Promise<Services> {
  globalForServices.visageServices ??= create().catch((error: unknown) => {
    globalForServices.visageServices = undefined; // let the next request try again
    throw error;
  });
  return globalForServices.visageServices;
}
