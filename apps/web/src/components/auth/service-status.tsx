import { cn } from '@/lib/utils';
import { config } from '@/server/config';
import { checkHealth } from '@/server/health';
import { services } from '@/server/services';

/** One line under the sign-in card: whether the database, Redis and a worker answer. */
export async function ServiceStatus() {
  const health = await checkHealth({ ...(await services()), redisPrefix: config().REDIS_PREFIX });
  const items = [
    ['Database', health.checks.database.ok, health.checks.database.error],
    ['Redis', health.checks.redis.ok, health.checks.redis.error],
    ['Workers', (health.workers ?? 0) > 0, health.workers === null ? 'unknown' : `${health.workers} online`],
  ] as const;
  return (
    <ul
      aria-label="Service status"
      className="flex flex-wrap justify-center gap-x-4 gap-y-1 text-xs text-muted-foreground"
    >
      {items.map(([name, ok, detail]) => (
        <li key={name} className="flex items-center gap-1.5" title={detail ?? undefined}>
          <span
            aria-hidden="true"
            className={cn('size-2 rounded-full', ok ? 'bg-success' : 'bg-destructive')}
          />
          <span>
            {name}
            {name === 'Workers' ? (
              `: ${detail}`
            ) : (
              <span className="sr-only">{ok ? ' ok' : ' unavailable'}</span>
            )}
          </span>
        </li>
      ))}
    </ul>
  );
}
