// The job event hub over a real Redis: a subscription hears what is published after subscribe(),
// even before its first read (onUpdate reads the job row in between).
import { type JobEvent, publishJobEvent } from '@visage/db/jobs';
import { testRedisPrefix } from '@visage/db/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobEventHub, type JobEventHub } from '../src/job-event-hub.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = testRedisPrefix();
let subscriber: Redis;
let publisher: Redis;
let hub: JobEventHub;

const event = (jobId: string, progress: number): JobEvent => ({
  jobId,
  ownerId: 'u1',
  organizationId: null,
  status: 'running',
  progress,
  stage: 'step',
  error: null,
  previewVersion: 0,
  version: 1000 + progress,
});

/** Publishes `e` and resolves once the hub's Redis connection has handled it. */
async function publishAndDeliver(e: JobEvent): Promise<void> {
  // The hub's 'message' listener was added first, so it has run when this one runs.
  const delivered = new Promise<void>((resolve) => {
    const onMessage = (_channel: string, message: string) => {
      if ((JSON.parse(message) as JobEvent).version !== e.version) return;
      subscriber.off('message', onMessage);
      resolve();
    };
    subscriber.on('message', onMessage);
  });
  await publishJobEvent(publisher, prefix, e);
  await delivered;
}

beforeAll(async () => {
  subscriber = new Redis(redisUrl);
  publisher = new Redis(redisUrl);
  hub = await createJobEventHub(subscriber, prefix, (error) => {
    throw error;
  });
});

afterAll(async () => {
  await hub.close();
  await publisher.quit();
});

describe('the job event hub', () => {
  it('should deliver an event published between subscribe() and the first read', async () => {
    const abort = new AbortController();
    const events = hub.subscribe('job-a', abort.signal)[Symbol.asyncIterator]();
    await publishAndDeliver(event('job-a', 0.25));
    await publishAndDeliver(event('job-b', 0.5)); // another job's event is not ours
    await publishAndDeliver(event('job-a', 0.75));
    const first = await events.next();
    const second = await events.next();
    expect([first.value?.progress, second.value?.progress]).toEqual([0.25, 0.75]);
    abort.abort();
  });

  it('should end the stream when the signal aborts', async () => {
    const abort = new AbortController();
    const events = hub.subscribe('job-c', abort.signal)[Symbol.asyncIterator]();
    const read = events.next();
    abort.abort();
    await expect(read).rejects.toThrow(/abort/i);
  });
});
