// Sends model commands to the workers and collects their answers (docs/architecture.md §7.4). Each
// addressed worker acknowledges at once and replies when done: a worker that does not acknowledge
// within `ackMs` is reported as not answering, one that acknowledged gets `replyMs` to finish (a
// verify hashes gigabytes). No live worker, or an unknown one, is refused before anything is sent.
import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import {
  listWorkerModelStates,
  type ModelCommand,
  type ModelCommandErrorCode,
  type ModelCommandResults,
  publishModelCommand,
  type WorkerModelState,
} from '@visage/db/models';
import type { Redis } from 'ioredis';
import type { ModelEventHub, RequestEvent } from './hub.ts';

export const NO_WORKER_MESSAGE =
  'No worker is connected. Models are installed by the workers, each into its own models folder: ' +
  'start one (npm start, or pnpm --filter @visage/worker start on the GPU host) and try again.';

export interface CommandTimeouts {
  /** How long a worker has to acknowledge a command (default 5 s). */
  ackMs: number;
  /** How long it then has to finish it (default 10 min). */
  replyMs: number;
}

export const DEFAULT_COMMAND_TIMEOUTS: CommandTimeouts = { ackMs: 5_000, replyMs: 600_000 };

export type WorkerOutcome<T> = { workerId: string; host: string } & (
  | { ok: true; value: T }
  | { ok: false; code: ModelCommandErrorCode | 'TIMEOUT'; message: string }
);

type Result<C extends ModelCommand> = ModelCommandResults[C['kind']];

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export class ModelCommands {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly hub: ModelEventHub,
    private readonly timeouts: CommandTimeouts = DEFAULT_COMMAND_TIMEOUTS,
  ) {}

  /** Every live worker's model state. */
  states(): Promise<WorkerModelState[]> {
    return listWorkerModelStates(this.redis, this.prefix);
  }

  /** Runs `command` on one worker, or on every live worker; one outcome per worker, in worker order. */
  async send<C extends ModelCommand>(command: C, workerId?: string): Promise<WorkerOutcome<Result<C>>[]> {
    const states = await this.states();
    if (states.length === 0) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: NO_WORKER_MESSAGE });
    const targets = workerId === undefined ? states : states.filter((s) => s.workerId === workerId);
    if (targets.length === 0) {
      throw new TRPCError({
        code: 'NOT_FOUND',
        message: `Worker "${workerId}" is not connected (connected: ${states.map((s) => s.workerId).join(', ')})`,
      });
    }
    const requestId = randomUUID();
    const waits = new Map(targets.map((t) => [t.workerId, this.#waitFor(t)]));
    const unsubscribe = this.hub.onRequest(requestId, (event) => waits.get(event.workerId)?.receive(event));
    try {
      await publishModelCommand(this.redis, this.prefix, { requestId, workerId: workerId ?? null, command });
      return await Promise.all(
        [...waits.values()].map((w) => w.outcome as Promise<WorkerOutcome<Result<C>>>),
      );
    } finally {
      unsubscribe();
      for (const wait of waits.values()) wait.cancel();
    }
  }

  /** One worker's answer: its reply, or a timeout once it misses the ack or the reply deadline. */
  #waitFor({ workerId, host }: WorkerModelState) {
    let timer: NodeJS.Timeout | undefined;
    let settle: (outcome: WorkerOutcome<unknown>) => void = () => undefined;
    const timeOut = (ms: number, message: string) => {
      clearTimeout(timer);
      timer = setTimeout(() => settle({ workerId, host, ok: false, code: 'TIMEOUT', message }), ms);
    };
    const outcome = new Promise<WorkerOutcome<unknown>>((resolve) => {
      settle = resolve;
    });
    const { ackMs, replyMs } = this.timeouts;
    timeOut(
      ackMs,
      `Worker ${workerId} did not answer within ${seconds(ackMs)}: it may have stopped ` +
        '(a stopped worker leaves the list within 30 s)',
    );
    return {
      outcome,
      receive(event: RequestEvent) {
        if (event.type === 'ack') {
          timeOut(replyMs, `Worker ${workerId} did not finish within ${seconds(replyMs)}`);
          return;
        }
        clearTimeout(timer);
        settle({ workerId, host, ...event.result });
      },
      cancel: () => clearTimeout(timer),
    };
  }
}

/**
 * The outcomes when at least one worker succeeded (the others' failures stay in the list for the
 * page to show); when every worker failed, one error saying why, worded for the admin.
 */
export function anySucceeded<T>(outcomes: WorkerOutcome<T>[]): WorkerOutcome<T>[] {
  if (outcomes.some((o) => o.ok)) return outcomes;
  const failures = outcomes.filter((o): o is Extract<WorkerOutcome<T>, { ok: false }> => !o.ok);
  const messages = [...new Set(failures.map((f) => f.message))];
  const message =
    messages.length === 1
      ? (messages[0] ?? '')
      : failures.map((f) => `${f.workerId}: ${f.message}`).join('; ');
  const code = failures.every((f) => f.code === 'BAD_REQUEST')
    ? 'BAD_REQUEST'
    : failures.every((f) => f.code === 'TIMEOUT')
      ? 'TIMEOUT'
      : 'INTERNAL_SERVER_ERROR';
  throw new TRPCError({ code, message });
}
