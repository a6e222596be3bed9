// Relays job events from Redis pub/sub to this process's SSE subscriptions: one Redis subscriber
// connection per web process, however many browsers watch.
import { EventEmitter, on } from 'node:events';
import { type JobEvent, jobEventsChannel } from '@visage/db/jobs';
import type { Redis } from 'ioredis';

export interface JobEventHub {
  /** Events of one job published from this call on, until `signal` aborts. */
  subscribe(jobId: string, signal: AbortSignal): AsyncIterable<JobEvent>;
  close(): Promise<void>;
}

/**
 * `current` reads a job's state from its row: after Redis comes back (docs/reliability.md §4) each
 * watched job's state is relayed from there, since what was published during the outage is gone.
 */
export async function createJobEventHub(
  subscriber: Redis,
  prefix: string,
  onError: (e: Error) => void,
  current?: (jobId: string) => Promise<JobEvent | null>,
) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0); // one listener per open subscription
  const channel = jobEventsChannel(prefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    try {
      const event = JSON.parse(message) as JobEvent;
      emitter.emit(event.jobId, event);
    } catch (error) {
      onError(new Error(`Unreadable job event on ${channel}: ${message.slice(0, 200)}`, { cause: error }));
    }
  });
  await subscriber.subscribe(channel);
  // ioredis re-subscribes on reconnect by itself; the rows are read once that is confirmed, so a
  // change is either in the row or arrives as an event. Subscriptions drop older versions.
  subscriber.on('ready', () => {
    if (!current) return;
    const resync = async () => {
      await subscriber.subscribe(channel);
      for (const jobId of emitter.eventNames() as string[]) {
        const event = await current(jobId);
        if (event) emitter.emit(jobId, event);
      }
    };
    resync().catch((error: unknown) =>
      onError(new Error('Could not re-read the watched jobs after Redis reconnected', { cause: error })),
    );
  });
  const hub: JobEventHub = {
    subscribe(jobId, signal) {
      // Listening starts with this call, not with the first read (a generator's body waits for
      // that): onUpdate reads the job row in between, and an event published then would be lost.
      const events = on(emitter, jobId, { signal });
      return (async function* () {
        for await (const [event] of events) yield event as JobEvent;
      })();
    },
    async close() {
      await subscriber.quit();
    },
  };
  return hub;
}
