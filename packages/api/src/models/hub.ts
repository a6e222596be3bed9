// Relays the workers' model events (acks, replies, pull progress) from Redis pub/sub to this web
// process: one subscriber connection, however many requests wait and browsers watch.
import { EventEmitter, on } from 'node:events';
import { type ModelEvent, modelEventsChannel, type PullProgress, parseModelEvent } from '@visage/db/models';
import type { Redis } from 'ioredis';

export type RequestEvent = Extract<ModelEvent, { type: 'ack' | 'reply' }>;

export interface PullEvent {
  workerId: string;
  progress: PullProgress;
}

export interface ModelEventHub {
  /** Acks and replies to one request; returns the unsubscribe function. */
  onRequest(requestId: string, listener: (event: RequestEvent) => void): () => void;
  /** Pull progress of one model from every worker, from this call on, until `signal` aborts. */
  pulls(modelId: string, signal: AbortSignal): AsyncIterable<PullEvent>;
  close(): Promise<void>;
}

export async function createModelEventHub(
  subscriber: Redis,
  prefix: string,
  onError: (error: Error) => void,
): Promise<ModelEventHub> {
  const requests = new EventEmitter();
  const progress = new EventEmitter();
  requests.setMaxListeners(0); // one listener per waiting request
  progress.setMaxListeners(0); // one listener per open subscription
  const channel = modelEventsChannel(prefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let event: ModelEvent;
    try {
      event = parseModelEvent(message);
    } catch (error) {
      onError(new Error(`Unreadable model event on ${channel}: ${message.slice(0, 200)}`, { cause: error }));
      return;
    }
    if (event.type === 'progress') {
      progress.emit(event.progress.id, { workerId: event.workerId, progress: event.progress });
    } else {
      requests.emit(event.requestId, event);
    }
  });
  await subscriber.subscribe(channel);
  return {
    onRequest(requestId, listener) {
      requests.on(requestId, listener);
      return () => requests.off(requestId, listener);
    },
    pulls(modelId, signal) {
      // Listening starts with this call (not with the first read), so nothing is lost while the
      // caller reads the workers' state keys.
      const events = on(progress, modelId, { signal });
      return (async function* () {
        for await (const [event] of events) yield event as PullEvent;
      })();
    },
    async close() {
      await subscriber.quit();
    },
  };
}
