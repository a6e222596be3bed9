// Everything the API needs, built once per web process (and per test).
import { createDb, createRedis } from '@visage/db';
import { DEFAULT_MEDIA_LIMITS, MediaStore } from '@visage/db/media';
import { type ModelCatalog, ModelStore } from '@visage/inference/models';
import { modelCatalog } from '@visage/plugins/catalog';
import { createAuth } from './auth.ts';
import type { ApiServices } from './context.ts';
import { createJobEventHub } from './job-event-hub.ts';
import { ModelPulls } from './model-pulls.ts';
import { createJobQueues } from './queues.ts';

export interface ApiConfig {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  authSecret: string;
  baseURL: string;
  trustedOrigins?: string[];
  rateLimit: boolean;
  mediaDir: string;
  modelsDir: string;
  /** The model catalog (default: the registered plugins' models; tests pass their own). */
  modelCatalog?: ModelCatalog;
  maxImageBytes?: number;
  maxVideoBytes?: number;
  plugins: readonly string[];
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
  for (const client of [redis, subscriber])
    client.on('error', (error: Error) => config.onError(error, 'redis'));
  const events = await createJobEventHub(subscriber, config.redisPrefix, (error) =>
    config.onError(error, 'job events'),
  );
  const queues = createJobQueues(redis, config.redisPrefix, config.plugins);
  const media = new MediaStore(config.mediaDir, {
    maxImageBytes: config.maxImageBytes ?? DEFAULT_MEDIA_LIMITS.maxImageBytes,
    maxVideoBytes: config.maxVideoBytes ?? DEFAULT_MEDIA_LIMITS.maxVideoBytes,
  });
  const modelStore = new ModelStore(config.modelsDir, config.modelCatalog ?? modelCatalog());
  const modelPulls = new ModelPulls(modelStore, (error, id) => config.onError(error, `model download ${id}`));
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
    modelStore,
    modelPulls,
    plugins: config.plugins,
    async close() {
      modelPulls.cancelAll();
      await queues.close();
      await events.close();
      await redis.quit();
      await db.$disconnect();
    },
  };
}
