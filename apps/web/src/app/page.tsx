import { config } from '@/server/config';
import { checkHealth } from '@/server/health';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

// Placeholder home until the studio lands: shows that the stack is up.
export default async function Home() {
  const health = await checkHealth({ ...(await services()), redisPrefix: config().REDIS_PREFIX });
  const rows = [
    [
      'Database',
      health.checks.database.ok,
      health.checks.database.error ?? `${health.checks.database.latencyMs} ms`,
    ],
    ['Redis', health.checks.redis.ok, health.checks.redis.error ?? `${health.checks.redis.latencyMs} ms`],
    ['Workers', (health.workers ?? 0) > 0, health.workers === null ? 'unknown' : `${health.workers} online`],
  ] as const;
  return (
    <main>
      <h1>Visage</h1>
      <p>Face swap, portrait animation and reference-to-video, on your own machine.</p>
      <ul aria-label="Service status">
        {rows.map(([name, ok, detail]) => (
          <li key={name}>
            <span>{name}</span>
            <span className={ok ? 'ok' : 'bad'}>{detail}</span>
          </li>
        ))}
      </ul>
    </main>
  );
}
