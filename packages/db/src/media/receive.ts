// Streams an upload to a file, hashing and counting as it goes, and hands the first bytes to a
// gatekeeper that can reject the upload (or tighten its size limit) before the rest is read.
import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { withCleanup } from './cleanup.ts';
import { SNIFF_BYTES } from './sniff.ts';

export type ByteSource = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

export interface ReceiveRules<T> {
  /** Applies until `admit` has run. */
  initialLimit: number;
  /**
   * Gets the first SNIFF_BYTES (or the whole file, if shorter). Throws to reject the upload, or returns
   * the limit that now applies and a verdict (e.g. the detected type) that `receive` hands back.
   */
  admit(head: Uint8Array): Promise<{ limit: number; verdict: T }>;
  /** The error for a stream that went past `limit` bytes. */
  tooLarge(limit: number, verdict: T | undefined): Error;
}

export interface Received<T> {
  sha256: string;
  bytes: number;
  /** Undefined only for an empty source. */
  verdict: T | undefined;
}

/** Writes `source` to a new file at `file` (which must not exist). Stops reading at the first rejection. */
export async function receive<T>(
  source: ByteSource,
  file: string,
  rules: ReceiveRules<T>,
): Promise<Received<T>> {
  const handle = await open(file, 'wx');
  return withCleanup(
    () => copy(source, handle, rules),
    () => handle.close(),
  );
}

async function copy<T>(source: ByteSource, handle: FileHandle, rules: ReceiveRules<T>): Promise<Received<T>> {
  const hash = createHash('sha256');
  const head = new Uint8Array(SNIFF_BYTES);
  let headLength = 0;
  let admitted = false;
  let verdict: T | undefined;
  let limit = rules.initialLimit;
  let bytes = 0;

  // Leaving this loop by throwing calls the iterator's return(), which destroys a Node stream or
  // finishes a generator: nothing more is read.
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    if (typeof chunk === 'string') throw new TypeError('Media sources must yield bytes, not strings');
    bytes += chunk.byteLength;
    if (!admitted) {
      const take = Math.min(chunk.byteLength, SNIFF_BYTES - headLength);
      head.set(chunk.subarray(0, take), headLength);
      headLength += take;
      if (headLength === SNIFF_BYTES) {
        admitted = true;
        ({ limit, verdict } = await rules.admit(head));
      }
    }
    if (bytes > limit) throw rules.tooLarge(limit, verdict);
    hash.update(chunk);
    await writeAll(handle, chunk);
  }
  if (!admitted && bytes > 0) {
    ({ limit, verdict } = await rules.admit(head.subarray(0, headLength)));
    if (bytes > limit) throw rules.tooLarge(limit, verdict);
  }
  return { sha256: hash.digest('hex'), bytes, verdict };
}

/** FileHandle.write may write less than asked; loop until the chunk is on disk. */
async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}
