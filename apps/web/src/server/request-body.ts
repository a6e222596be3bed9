// The body of an upload, read with deadlines (docs/security.md §7): a client that stops sending is
// cut off after VISAGE_UPLOAD_IDLE_TIMEOUT_MS without data, and any upload after
// VISAGE_UPLOAD_DEADLINE_MS, even while a read is waiting. A refused upload is still drained, within
// limits: the media store stops reading at the first problem, and if the server then closed the
// connection while the client was still sending, the client would see a reset instead of our answer.
import { config } from './config.ts';
import { HttpError } from './request-caller.ts';

const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_LIMIT_MS = 10_000;

export interface UploadBody {
  /** The chunks, for the media store; stopping early leaves the rest unread (not cancelled). */
  chunks: AsyncIterable<Uint8Array>;
  /**
   * Reads and discards what the client still sends, up to a limit. True when the body ended (the
   * connection can be reused); false when it was too long or slow and had to be cut off.
   */
  discardRest(): Promise<boolean>;
}

export interface BodyDeadlines {
  idleMs: number;
  deadlineMs: number;
}

/** The upload body of `request` (null without one), under the configured deadlines. */
export function uploadBody(request: Request): UploadBody | null {
  if (!request.body) return null;
  const declared = Number(request.headers.get('content-length'));
  const c = config();
  return readBody(request.body, {
    idleMs: c.VISAGE_UPLOAD_IDLE_TIMEOUT_MS,
    deadlineMs: c.VISAGE_UPLOAD_DEADLINE_MS,
    declaredBytes: Number.isFinite(declared) && declared > 0 ? declared : undefined,
  });
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

export function readBody(
  body: ReadableStream<Uint8Array>,
  { idleMs, deadlineMs, declaredBytes }: BodyDeadlines & { declaredBytes?: number },
): UploadBody {
  const reader = body.getReader();
  const deadline = Date.now() + deadlineMs;
  let received = 0;
  let cutOff = false;

  /** reader.read(), or a 408 when no data comes within the idle timeout or before `until`. */
  async function read(until = deadline): Promise<ReadableStreamReadResult<Uint8Array>> {
    const wait = Math.max(0, Math.min(idleMs, until - Date.now()));
    const stalled = wait === idleMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), wait);
    });
    const result = await Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
    if (result === 'timeout') {
      // Cancelling ends the waiting read (as if the body had ended), so the error must come from here.
      // Not awaited: with a read pending, Next's body stream settles the cancel only when data comes.
      cutOff = true;
      reader.cancel('upload timed out').catch(() => undefined); // the 408 below is the outcome
      throw stalled
        ? new HttpError(408, `The upload stalled: no data for ${seconds(idleMs)}`, 'UPLOAD_TIMEOUT')
        : new HttpError(
            408,
            `The upload took longer than the ${seconds(deadlineMs)} allowed`,
            'UPLOAD_TIMEOUT',
          );
    }
    if (!result.done) received += result.value.byteLength;
    return result;
  }

  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const { done, value } = await read();
          if (done) return;
          yield value;
        }
      },
    },
    async discardRest() {
      if (cutOff) return false;
      // Too much still to come (a declared size far past the limit): close rather than read it.
      if (declaredBytes !== undefined && declaredBytes - received > DRAIN_LIMIT_BYTES) {
        await reader.cancel('upload refused');
        return false;
      }
      const start = received;
      const until = Math.min(deadline, Date.now() + DRAIN_LIMIT_MS);
      try {
        while (received - start <= DRAIN_LIMIT_BYTES) {
          if ((await read(until)).done) return true;
        }
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        return false; // timed out: read() cancelled the body
      }
      await reader.cancel('upload refused');
      return false;
    },
  };
}
