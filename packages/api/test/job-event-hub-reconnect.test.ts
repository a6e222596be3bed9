// The job event hub after its Redis connection drops (docs/reliability.md §4): once reconnected it
// relays each watched job's current state (events published meanwhile are lost), and live events
// still arrive on the re-made subscription.
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
/** What the job rows say (the hub reads them through `current`). */
const rows = new Map<string, JobEvent>();

const event = (jobId: string, status: JobEvent['status'], version: number): JobEvent => ({
  jobId,
  ownerId: 'u1',
  organizationId: null,
  status,
  progress: status === 'succeeded' ? 1 : 0.5,
  stage: null,
  error: null,
  previewVersion: 0,
  version,
});

beforeAll(async () => {
  subscriber = new Redis(redisUrl);
  publisher = new Redis(redisUrl);
  hub = await createJobEventHub(
    subscriber,
    prefix,
    (error) => {
      throw error;
    },
    async (jobId) => rows.get(jobId) ?? null,
  );
});

afterAll(async () => {
  await hub.close();
  await publisher.quit();
});

describe('the job event hub after a reconnect', () => {
  it("should relay a watched job's row, then go on relaying published events", async () => {
    const abort = new AbortController();
    const events = hub.subscribe('job-r', abort.signal)[Symbol.asyncIterator]();
    // The job ended while the connection was down: only its row knows.
    rows.set('job-r', event('job-r', 'succeeded', 2000));
    const reconnected = new Promise((resolve) => subscriber.once('ready', resolve));
    subscriber.disconnect(true);
    await reconnected;
    expect((await events.next()).value).toMatchObject({ status: 'succeeded', version: 2000 });

    // The hub re-subscribed before it read the row, so a newer event now arrives as usual.
    await publishJobEvent(publisher, prefix, event('job-r', 'succeeded', 3000));
    expect((await events.next()).value).toMatchObject({ version: 3000 });
    abort.abort();
  });
});
