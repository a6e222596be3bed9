// Everything the API needs, built once per web process (and per test).
import { createDb, createRedis } from '@visage/db';
import { jobEventFromRow, TARGET_FACES_PLUGIN } from '@visage/db/jobs';
import { DEFAULT_LIVE_SESSIONS_PER_USER } from '@visage/db/live';
import { DEFAULT_MEDIA_LIMITS, MediaStore } from '@visage/db/media';
import { createAuth } from './auth.ts';
import type { ApiServices } from './context.ts';
import { createJobEventHub } from './job-event-hub.ts';
import { type CommandTimeouts, DEFAULT_COMMAND_TIMEOUTS, ModelCommands } from './models/commands.ts';
import { createModelEventHub } from './models/hub.ts';
import { createJobQueues } from './queues.ts';
import { createTargetFacesRequests } from './target-faces.ts';

export interface ApiConfig {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  authSecret: string;
  baseURL: string;
  trustedOrigins?: string[];
  rateLimit: boolean;
  mediaDir: string;
  /** How long workers have to answer model commands (tests shorten them). */
  modelCommandTimeouts?: Partial<CommandTimeouts>;
  maxImageBytes?: number;
  maxVideoBytes?: number;
  plugins: readonly string[];
  /** How long the studio waits for a worker to find a target's faces (default 60 s; tests shorten it). */
  targetFacesTimeoutMs?: number;
  /** Live sessions one user may have open at once (default DEFAULT_LIVE_SESSIONS_PER_USER). */
  liveSessionsPerUser?: number;
  /** Shown in PostgreSQL's and Redis's connection lists. */
  connectionName: string;
  onError(error: Error, context: string): void;
}

export async function createApiServices(
  config: ApiConfig,
): Promise<ApiServices & { close(): Promise<void> }> {
  const db = createDb({ url: config.databaseUrl, applicationName: config.connectionName });
  const redis = createRedis(config.redisUrl, config.connectionName, { maxRetriesPerRequest: 1 });
  const subscriber = createRedis(config.redisUrl, `${config.connectionName}:events`);
  const modelSubscriber = createRedis(config.redisUrl, `${config.connectionName}:models`);
  for (const client of [redis, subscriber, modelSubscriber])
    client.on('error', (error: Error) => config.onError(error, 'redis'));
  const events = await createJobEventHub(
    subscriber,
    config.redisPrefix,
    (error) => config.onError(error, 'job events'),
    async (jobId) => {
      const row = await db.job.findUnique({ where: { id: jobId } });
      return row && jobEventFromRow(row);
    },
  );
  const modelEvents = await createModelEventHub(modelSubscriber, config.redisPrefix, (error) =>
    config.onError(error, 'model events'),
  );
  const modelCommands = new ModelCommands(redis, config.redisPrefix, modelEvents, {
    ...DEFAULT_COMMAND_TIMEOUTS,
    ...config.modelCommandTimeouts,
  });
  const queues = createJobQueues(redis, config.redisPrefix, config.plugins);
  const targetFaces = config.plugins.includes(TARGET_FACES_PLUGIN)
    ? createTargetFacesRequests({
        connection: redis,
        redisUrl: config.redisUrl,
        prefix: config.redisPrefix,
        connectionName: config.connectionName,
        timeoutMs: config.targetFacesTimeoutMs,
        onError: (error) => config.onError(error, 'target faces'),
      })
    : null;
  const media = new MediaStore(config.mediaDir, {
    maxImageBytes: config.maxImageBytes ?? DEFAULT_MEDIA_LIMITS.maxImageBytes,
    maxVideoBytes: config.maxVideoBytes ?? DEFAULT_MEDIA_LIMITS.maxVideoBytes,
  });
  const auth = createAuth({
    db,
    secret: config.authSecret,
    baseURL: config.baseURL,
    trustedOrigins: config.trustedOrigins,
    rateLimit: config.rateLimit,
  });
  return {
    db,
    redis,
    redisPrefix: config.redisPrefix,
    auth,
    queues,
    events,
    media,
    modelCommands,
    plugins: config.plugins,
    targetFaces,
    live: {
      secret: config.authSecret,
      sessionsPerUser: config.liveSessionsPerUser ?? DEFAULT_LIVE_SESSIONS_PER_USER,
    },
    async close() {
      await queues.close();
      await targetFaces?.close();
      await events.close();
      await modelEvents.close();
      await redis.quit();
      await db.$disconnect();
    },
  };
}
