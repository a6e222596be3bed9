// The body of an upload, read so that a refused upload can still be answered: the media store
// stops reading at the first problem, and if the server then closed the connection while the
// client was still sending, the client would see a reset instead of our 413/415 answer.
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

export function uploadBody(body: ReadableStream<Uint8Array>): UploadBody {
  const reader = body.getReader();
  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      },
    },
    async discardRest() {
      let discarded = 0;
      const deadline = Date.now() + DRAIN_LIMIT_MS;
      while (discarded <= DRAIN_LIMIT_BYTES && Date.now() < deadline) {
        const { done, value } = await reader.read();
        if (done) return true;
        discarded += value.byteLength;
      }
      await reader.cancel('upload refused');
      return false;
    },
  };
}
