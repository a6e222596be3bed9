// A stand-in for a worker's model side, speaking the Redis protocol of @visage/db/models: it
// publishes a model state and answers commands the way a test tells it to. The real worker's side
// is tested in apps/worker/test/model-agent.test.ts; both together in apps/web/test/models.e2e.test.ts.
import {
  deleteWorkerModelState,
  type ModelCommandEnvelope,
  type ModelEvent,
  modelCommandsChannel,
  type PullProgress,
  parseModelCommand,
  publishModelEvent,
  type WorkerModel,
  writeWorkerModelState,
} from '@visage/db/models';
import { Redis } from 'ioredis';

type Reply = Extract<ModelEvent, { type: 'reply' }>['result'];

export interface FakeWorkerOptions {
  workerId: string;
  plugins: string[];
  models: WorkerModel[];
  /** The reply to a command addressed to this worker; 'silent': no ack, no reply. Default: ok with null. */
  answer?(envelope: ModelCommandEnvelope): Reply | 'silent' | Promise<Reply | 'silent'>;
}

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function startFakeWorker(prefix: string, options: FakeWorkerOptions) {
  const redis = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  const received: ModelCommandEnvelope[] = [];
  const failures: Error[] = [];
  let models = options.models;
  const writeState = () =>
    writeWorkerModelState(redis, prefix, {
      workerId: options.workerId,
      host: `host-${options.workerId}`,
      plugins: options.plugins,
      modelsDir: `/models/${options.workerId}`,
      updatedAt: Date.now(),
      models,
    });
  const publish = (event: ModelEvent) => publishModelEvent(redis, prefix, event);

  async function handle(envelope: ModelCommandEnvelope) {
    received.push(envelope);
    const result = (await options.answer?.(envelope)) ?? { ok: true, value: null as never };
    if (result === 'silent') return;
    await publish({ type: 'ack', requestId: envelope.requestId, workerId: options.workerId });
    await publish({ type: 'reply', requestId: envelope.requestId, workerId: options.workerId, result });
  }

  subscriber.on('message', (_channel: string, message: string) => {
    const envelope = parseModelCommand(message);
    if (envelope.workerId !== null && envelope.workerId !== options.workerId) return;
    handle(envelope).catch((error: Error) => failures.push(error)); // the test checks `failures`
  });
  await subscriber.subscribe(modelCommandsChannel(prefix));
  await writeState();

  return {
    received,
    failures,
    async setModels(next: WorkerModel[]) {
      models = next;
      await writeState();
    },
    progress: (progress: PullProgress) => publish({ type: 'progress', workerId: options.workerId, progress }),
    async stop() {
      await deleteWorkerModelState(redis, prefix, options.workerId);
      await Promise.all([redis.quit(), subscriber.quit()]);
    },
  };
}

export type FakeWorker = Awaited<ReturnType<typeof startFakeWorker>>;

const licence = { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' };

/** A catalog entry as a worker reports it. */
export function workerModel(id: string, overrides: Partial<WorkerModel> = {}): WorkerModel {
  return {
    id,
    title: id.toUpperCase(),
    plugin: 'shared',
    bytes: 1024,
    licence,
    availability: 'download',
    note: null,
    installed: false,
    variants: [{ precision: 'fp32', state: 'missing', reason: null, partBytes: 0 }],
    pull: null,
    ...overrides,
  };
}
