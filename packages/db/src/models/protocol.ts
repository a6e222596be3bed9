// Model management between the web app and the workers, over Redis (docs/architecture.md §7.4).
// Each worker owns its models folder: the web app sends commands on one channel (to every worker or
// to one), each worker acknowledges at once, executes the command against its own folder and replies
// on the events channel, where it also publishes pull progress. Names, payloads and their validation
// live here only, shared by the sender (packages/api) and the executor (apps/worker).
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const modelCommandsChannel = (prefix: string) => `${prefix}:models:commands`;
export const modelEventsChannel = (prefix: string) => `${prefix}:models:events`;

export type PullState = 'running' | 'done' | 'failed' | 'cancelled';

/** One model download on one worker. */
export interface PullProgress {
  id: string;
  precision: string;
  state: PullState;
  received: number;
  total: number | null;
  /** Retries and mirror changes, or why it failed or stopped. */
  message: string | null;
  /**
   * Increases with every update a worker publishes (over all its pulls, and across its restarts), so
   * a relay or a page can tell the newer of two words on a download.
   */
  seq: number;
}

const id = z.string().min(1).max(200);
const precision = z.string().min(1).max(20).optional();

const commandSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pull'), id, precision }),
  z.object({ kind: z.literal('cancelPull'), id }),
  z.object({ kind: z.literal('import'), id, path: z.string().min(1), precision }),
  z.object({ kind: z.literal('verify'), id: id.optional() }),
]);

export type ModelCommand = z.infer<typeof commandSchema>;
export type ModelCommandKind = ModelCommand['kind'];

const envelopeSchema = z.object({
  requestId: z.string().min(1),
  /** null: every worker. */
  workerId: z.string().min(1).nullable(),
  command: commandSchema,
});

export type ModelCommandEnvelope = z.infer<typeof envelopeSchema>;

/** What a worker's model store reports for an installed file that was checked in (import). */
export interface ImportOutcome {
  path: string;
  precision: string;
  moved: boolean;
  sha256: string;
  /** True when the catalog had a checksum and the file matched it. */
  verified: boolean;
}

/** One variant's verdict after hashing it on the worker. */
export interface VerifyOutcome {
  id: string;
  precision: string;
  path: string;
  state: 'ok' | 'mismatch' | 'unverified' | 'corrupt' | 'missing';
  expected: string | null;
  actual: string | null;
  message: string;
}

/** A worker's answer to each kind of command. */
export interface ModelCommandResults {
  pull: PullProgress;
  cancelPull: { cancelled: boolean };
  import: ImportOutcome;
  verify: VerifyOutcome[];
}

/** BAD_REQUEST: the request's fault (a wrong id, path or file), worded for the admin; INTERNAL: the worker's. */
export type ModelCommandErrorCode = 'BAD_REQUEST' | 'INTERNAL';

export type ModelEvent =
  /** Sent on receipt, before the work: the sender knows who is on it, however long it takes. */
  | { type: 'ack'; requestId: string; workerId: string }
  | {
      type: 'reply';
      requestId: string;
      workerId: string;
      result:
        | { ok: true; value: ModelCommandResults[ModelCommandKind] }
        | { ok: false; code: ModelCommandErrorCode; message: string };
    }
  | { type: 'progress'; workerId: string; progress: PullProgress };

export async function publishModelCommand(
  redis: Redis,
  prefix: string,
  envelope: ModelCommandEnvelope,
): Promise<void> {
  await redis.publish(modelCommandsChannel(prefix), JSON.stringify(envelopeSchema.parse(envelope)));
}

/** A command as received; throws with the reason when the message is not one. */
export function parseModelCommand(message: string): ModelCommandEnvelope {
  return envelopeSchema.parse(JSON.parse(message));
}

export async function publishModelEvent(redis: Redis, prefix: string, event: ModelEvent): Promise<void> {
  await redis.publish(modelEventsChannel(prefix), JSON.stringify(event));
}

const EVENT_TYPES = new Set<string>(['ack', 'reply', 'progress']);

/** An event as received; throws when the message is not one. */
export function parseModelEvent(message: string): ModelEvent {
  const event = JSON.parse(message) as ModelEvent;
  if (!EVENT_TYPES.has(event?.type) || typeof event.workerId !== 'string') {
    throw new Error(`not a model event: ${message.slice(0, 200)}`);
  }
  return event;
}
