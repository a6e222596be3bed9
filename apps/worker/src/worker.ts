// Boot and shutdown of one worker process: connections, heartbeat, job queues, cancellation, and the
// model commands the web app sends (this worker installs models into its own folder).
import os from 'node:os';
import { assertDbReachable, connectRedis, createDb, createRedis, type Db, pingDb } from '@visage/db';
import { createJobRepository, retryingJobRepository, TARGET_FACES_PLUGIN } from '@visage/db/jobs';
import { MediaStore, sweepStagedOutputs } from '@visage/db/media';
import { describeDevice, detectDevice, selectDevice } from '@visage/device';
import { ModelManager, ModelStore } from '@visage/inference';
import { enabledPluginIds, loadPlugins, modelCatalog } from '@visage/plugins';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from './config.ts';
import { startHeartbeat } from './heartbeat.ts';
import { type Cancellation, listenForCancels, WorkerShutdown } from './jobs/cancellation.ts';
import { assignHandlers, pluginHandlers, startJobWorkers } from './jobs/registry.ts';
import { type LiveServer, startLiveServer } from './live/server.ts';
import type { Logger } from './logger.ts';
import { type ModelAgent, startModelAgent } from './models/agent.ts';
import { startTargetFacesWorker } from './target-faces.ts';

export interface RunningWorker {
  id: string;
  /** Stops taking jobs, lets running ones finish until the deadline (then re-queues them), closes everything. */
  stop(): Promise<void>;
}

/** Name used for this worker's PostgreSQL and Redis connections (visible to operators and tests). */
export const connectionName = (id: string) => `visage-worker:${id}`;

function pluginIds(config: WorkerConfig): string[] {
  const enabled = enabledPluginIds({ enableTestPlugin: config.VISAGE_ENABLE_TEST_PLUGIN });
  if (!config.VISAGE_PLUGINS) return enabled;
  const wanted = config.VISAGE_PLUGINS.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = wanted.filter((p) => !enabled.includes(p));
  if (unknown.length)
    throw new Error(
      `VISAGE_PLUGINS names plugins that are not enabled: ${unknown.join(', ')} (enabled: ${enabled.join(', ')})`,
    );
  return wanted;
}

export async function startWorker(config: WorkerConfig, log: Logger): Promise<RunningWorker> {
  const id = config.VISAGE_WORKER_ID;
  const servedPluginIds = pluginIds(config);
  const plugins = loadPlugins(servedPluginIds);
  const device = await detectDevice();
  log.info(`device: ${describeDevice(device)}`);
  log.debug({ device }, 'device details');
  for (const problem of device.problems) log.warn(problem);
  const selected = selectDevice(device, config.VISAGE_DEVICE, {
    modelMemoryGb: config.VISAGE_MODEL_MEMORY_GB,
  });
  log.info(
    {
      device: selected.device,
      providers: selected.providers,
      precision: selected.precision,
      budgetBytes: selected.budgetBytes,
    },
    `models run on ${selected.device} (${selected.providers.join(' → ')}, ${selected.precision}); ` +
      `memory budget ${(selected.budgetBytes / 1024 ** 3).toFixed(1)} GiB (${selected.budgetReason})`,
  );
  const modelStore = new ModelStore(config.VISAGE_MODELS_DIR, modelCatalog(config.VISAGE_MODEL_CATALOG));
  const models = new ModelManager({
    budgetBytes: selected.budgetBytes,
    locator: { locate: (modelId) => modelStore.locate(modelId, selected.precision) },
    providers: selected.providers,
    gpuIndex: selected.gpuIndex ?? 0,
    idleTtlMs: config.VISAGE_MODEL_IDLE_TTL_S * 1000,
    log,
  });

  const opened: {
    db?: Db;
    redis?: Redis;
    cancellation?: Cancellation;
    modelAgent?: ModelAgent;
    live?: LiveServer;
    faces?: ReturnType<typeof startTargetFacesWorker>;
  } = {};
  const closeConnections = async () => {
    await opened.faces?.close();
    await opened.live?.stop();
    await opened.modelAgent?.stop();
    await opened.cancellation?.close();
    await Promise.all([opened.redis?.quit(), opened.db?.$disconnect()]);
  };
  try {
    await assertDbReachable(config.DATABASE_URL);
    opened.db = createDb({
      url: config.DATABASE_URL,
      applicationName: connectionName(id),
      maxConnections: 4,
    });
    await pingDb(opened.db);
    opened.redis = await connectRedis(config.REDIS_URL, connectionName(id));
    const { db, redis } = opened;
    redis.on('error', (error) => log.warn({ err: error }, 'redis connection error (reconnecting)'));
    const subscriber = createRedis(config.REDIS_URL, connectionName(id));
    subscriber.on('error', (error) => log.warn({ err: error }, 'redis subscriber error (reconnecting)'));
    opened.cancellation = await listenForCancels(subscriber, config.REDIS_PREFIX);
    const cancellation = opened.cancellation;
    opened.modelAgent = await startModelAgent({
      redis,
      subscriber,
      prefix: config.REDIS_PREFIX,
      workerId: id,
      host: os.hostname(),
      plugins: servedPluginIds,
      store: modelStore,
      log,
    });
    const modelAgent = opened.modelAgent;

    const media = new MediaStore(config.VISAGE_MEDIA_DIR);
    const swept = await media.sweepTemp();
    if (swept > 0) log.info({ swept }, 'removed files left by interrupted uploads');
    const unstaged = await sweepStagedOutputs(db, media);
    if (unstaged > 0) log.info({ unstaged }, 'removed the staged outputs of jobs that are no longer running');
    const handlers = pluginHandlers(
      {
        db,
        jobs: retryingJobRepository(createJobRepository({ db, redis, redisPrefix: config.REDIS_PREFIX }), {
          log,
        }),
        media,
        log,
        cancellation,
        device: selected,
        models,
        modelStore,
      },
      plugins,
    );
    const jobs = startJobWorkers(
      log,
      { connection: redis, prefix: config.REDIS_PREFIX },
      assignHandlers(servedPluginIds, handlers),
      {
        concurrency: config.VISAGE_QUEUE_CONCURRENCY,
        lockDurationMs: config.VISAGE_JOB_LOCK_MS,
        stalledIntervalMs: config.VISAGE_STALLED_INTERVAL_MS,
        maxStalledCount: config.VISAGE_MAX_STALLED_COUNT,
      },
    );
    // The studio's requests for a face swap target's faces (face mapping), beside the jobs.
    opened.faces = servedPluginIds.includes(TARGET_FACES_PLUGIN)
      ? startTargetFacesWorker({ db, media, models, log }, { connection: redis, prefix: config.REDIS_PREFIX })
      : undefined;
    const faces = opened.faces;
    // A slot taken or freed is published at once, so the web app never picks a full worker for long.
    let announce: () => void = () => undefined;
    opened.live = await startLive(config, log, {
      onSlotsChanged: () => announce(),
      workerId: id,
      redis,
      prefix: config.REDIS_PREFIX,
      db,
      media,
      plugins,
      models,
      device: selected,
      log,
    });
    const live = opened.live;
    const startedAt = new Date().toISOString();
    const heartbeat = await startHeartbeat(
      redis,
      config.REDIS_PREFIX,
      () => {
        const stats = models.stats();
        return {
          id,
          host: os.hostname(),
          pid: process.pid,
          device: describeDevice(device),
          accelerator: selected.device,
          startedAt,
          models: {
            providers: [...selected.providers],
            precision: selected.precision,
            budgetBytes: stats.budgetBytes,
            budgetReason: selected.budgetReason,
            residentBytes: stats.residentBytes,
            resident: stats.models.map(({ id: modelId, bytes, provider, pins }) => ({
              id: modelId,
              bytes,
              provider,
              pins,
            })),
            hits: stats.hits,
            misses: stats.misses,
            evictions: stats.evictions,
          },
          ...(live ? { live: live.presence() } : {}),
        };
      },
      (error) => log.warn({ err: error }, 'worker heartbeat refresh failed; retrying'),
      async () => {
        await modelAgent.refresh();
        await live?.refresh();
      },
    );
    announce = () => {
      heartbeat
        .beatNow()
        .catch((error: unknown) => log.warn({ err: error }, 'could not publish the live slots'));
    };
    log.info(
      {
        workerId: id,
        queues: faces ? [...jobs.queues, faces.queue] : jobs.queues,
        mediaDir: config.VISAGE_MEDIA_DIR,
        modelsDir: config.VISAGE_MODELS_DIR,
      },
      'worker ready',
    );

    return {
      id,
      async stop() {
        await modelAgent.stop(); // running pulls are cancelled; their .part files stay for a resume
        opened.modelAgent = undefined;
        await live?.stop(); // live sessions end at once (close 1001): the browser asks for another worker
        opened.live = undefined;
        await faces?.close(); // a request in flight fails; the studio asks again
        opened.faces = undefined;
        const closing = jobs.close();
        // Give running jobs until half the shutdown budget, then abort them (they are re-queued).
        const grace = setTimeout(() => {
          if (cancellation.running() > 0) {
            log.warn(
              { running: cancellation.running() },
              'jobs still running at the deadline; interrupting them',
            );
            cancellation.abortAll(new WorkerShutdown());
          }
        }, config.VISAGE_SHUTDOWN_TIMEOUT_MS / 2);
        await closing;
        clearTimeout(grace);
        await models.unloadAll();
        await heartbeat.stop();
        await closeConnections();
      },
    };
  } catch (error) {
    await closeConnections();
    throw error;
  }
}

/** The live endpoint, unless this worker runs no live plugin, has no slots, or lacks the ticket secret. */
async function startLive(
  config: WorkerConfig,
  log: Logger,
  deps: Parameters<typeof startLiveServer>[1],
): Promise<LiveServer | undefined> {
  const slots = config.VISAGE_LIVE_SLOTS ?? (deps.device.device === 'cpu' ? 1 : 2);
  if (slots === 0 || !deps.plugins.some((p) => p.openLive)) return undefined;
  if (!config.BETTER_AUTH_SECRET) {
    log.warn("live mode is off on this worker: set BETTER_AUTH_SECRET (the web app's secret) to turn it on");
    return undefined;
  }
  return startLiveServer(
    {
      port: config.VISAGE_LIVE_PORT,
      host: config.VISAGE_LIVE_HOST,
      advertiseUrl: config.VISAGE_LIVE_URL,
      slots,
      sessionsPerUser: config.VISAGE_LIVE_SESSIONS_PER_USER,
      maxRecordMs: config.VISAGE_LIVE_MAX_RECORD_S * 1000,
      secret: config.BETTER_AUTH_SECRET,
    },
    deps,
  );
}
