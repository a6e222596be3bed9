// SHA-256 of files on disk, streamed (model files are hundreds of megabytes).
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Feeds the file's bytes into `hash` (a new SHA-256 by default) and returns it, not yet digested. */
export async function hashInto(file: string, hash: Hash = createHash('sha256')): Promise<Hash> {
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash;
}

/** The file's SHA-256 as 64 lowercase hex characters. */
export async function sha256File(file: string): Promise<string> {
  return (await hashInto(file)).digest('hex');
}
