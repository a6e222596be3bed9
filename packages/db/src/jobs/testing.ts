// For tests: the job events published under a Redis prefix, read in publication order and without
// sleeping to be sure none is still on its way.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type JobEvent, jobEventsChannel } from './events.ts';

export interface JobEventRecorder {
  /** The events published since the last call (or since recording began), oldest first. */
  next(): Promise<JobEvent[]>;
  close(): Promise<void>;
}

/**
 * Subscribes to the job events of `prefix`. `publisher` must be the connection the code under test
 * publishes on: Redis delivers one connection's messages in order, so a marker published there
 * after an action arrives after every event the action published.
 */
export async function recordJobEvents(
  redisUrl: string,
  publisher: Redis,
  prefix: string,
): Promise<JobEventRecorder> {
  const channel = jobEventsChannel(prefix);
  const subscriber = new Redis(redisUrl);
  let received: JobEvent[] = [];
  const markers = new Map<string, () => void>();
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const parsed = JSON.parse(message) as JobEvent | { marker: string };
    if ('marker' in parsed) markers.get(parsed.marker)?.();
    else received.push(parsed);
  });
  await subscriber.subscribe(channel);
  return {
    async next() {
      const marker = randomUUID();
      const arrived = new Promise<void>((resolve) => markers.set(marker, resolve));
      await publisher.publish(channel, JSON.stringify({ marker }));
      await arrived;
      markers.delete(marker);
      const events = received;
      received = [];
      return events;
    },
    async close() {
      await subscriber.quit();
    },
  };
}
