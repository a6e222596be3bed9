// The model protocol's Redis side: state keys that expire with their worker and stay out of the
// worker presence list, and commands checked on both ends.
import { listWorkers, WORKER_TTL_SECONDS, workerKey } from '@visage/db/jobs';
import {
  listWorkerModelStates,
  parseModelCommand,
  parseModelEvent,
  publishModelCommand,
  type WorkerModelState,
  workerModelsKey,
  writeWorkerModelState,
} from '@visage/db/models';
import { deleteRedisKeys, testRedisPrefix } from '@visage/db/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = testRedisPrefix();

afterAll(async () => {
  await deleteRedisKeys(redis, prefix);
  await redis.quit();
});

const state = (workerId: string): WorkerModelState => ({
  workerId,
  host: 'h',
  plugins: ['test'],
  modelsDir: `/models/${workerId}`,
  updatedAt: 1,
  models: [],
});

describe('model protocol', () => {
  it('should list each worker’s model state, expiring with the worker and apart from its presence', async () => {
    await writeWorkerModelState(redis, prefix, state('b'));
    await writeWorkerModelState(redis, prefix, state('a'));
    await redis.set(workerKey(prefix, 'a'), JSON.stringify({ id: 'a' }), 'EX', WORKER_TTL_SECONDS);
    expect((await listWorkerModelStates(redis, prefix)).map((s) => s.workerId)).toEqual(['a', 'b']);
    expect((await listWorkers(redis, prefix)).map((w) => w.id)).toEqual(['a']);
    const ttl = await redis.ttl(workerModelsKey(prefix, 'a'));
    expect(ttl).toBeGreaterThan(WORKER_TTL_SECONDS - 5);
    expect(ttl).toBeLessThanOrEqual(WORKER_TTL_SECONDS);
  });

  it('should refuse malformed commands and events on either end', async () => {
    const envelope = { requestId: 'r1', workerId: null, command: { kind: 'verify' as const, id: 'x' } };
    expect(parseModelCommand(JSON.stringify(envelope))).toEqual(envelope);
    expect(() => parseModelCommand('{"requestId":"r","workerId":null,"command":{"kind":"rm"}}')).toThrow();
    expect(() => parseModelCommand('not json')).toThrow();
    await expect(
      publishModelCommand(redis, prefix, { ...envelope, command: { kind: 'pull', id: '' } }),
    ).rejects.toThrow();
    expect(parseModelEvent('{"type":"ack","requestId":"r","workerId":"a"}')).toEqual({
      type: 'ack',
      requestId: 'r',
      workerId: 'a',
    });
    expect(() => parseModelEvent('{"type":"hello","workerId":"a"}')).toThrow(/not a model event/);
    expect(() => parseModelEvent('null')).toThrow(/not a model event/);
  });
});
