// Downloads a model's files: the `.onnx` and, for a model with external data, each data file beside
// it. Each file is resumable (HTTP Range on `<file>.part`), hashed while streaming, verified against
// the catalog's sha256 and size, and renamed into place only when complete, so a reader never sees
// half a file. A file the catalog gives no size for has its size recorded beside it (size-record.ts),
// so the store can tell later when it was truncated. Network errors and 5xx are retried with
// exponential back-off; other HTTP errors fail the mirror at once; each mirror is tried in order.
// Data files come first and the `.onnx` last, and a data file already in place and intact is kept,
// so an interrupted pull of a multi-gigabyte model resumes where it stopped.
import { createHash, type Hash } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChecksumError, HttpError } from './errors.ts';
import { hashInto } from './hash.ts';
import { get, NetworkError } from './http.ts';
import type { ModelVariant } from './schema.ts';
import { recordedSize, recordSize } from './size-record.ts';

/** What to fetch: a catalog entry or one of its variants (with its external data files, if any). */
export type DownloadSource = Pick<ModelVariant, 'file' | 'urls' | 'sha256' | 'bytes' | 'externalData'>;

/** One file to fetch. */
type FileSource = Pick<ModelVariant, 'file' | 'urls' | 'sha256' | 'bytes'>;

export interface DownloadOptions {
  /**
   * Called as bytes arrive, over all the model's files; `received` counts resumed parts and data files
   * already in place too. `total` is null while the size of any file is unknown.
   */
  onProgress?: (received: number, total: number | null) => void;
  /** Retries, back-offs, restarts and mirror changes, for the user to see. */
  onNotice?: (message: string) => void;
  /** Aborting keeps the .part file, so the next call resumes it. */
  signal?: AbortSignal;
  /** Retries per mirror after the first attempt (network errors, 5xx, 408, 429). */
  retries?: number;
  /** First back-off; doubles on each retry. */
  backoffMs?: number;
  /** Give up on a connection silent for this long (then retry). */
  idleTimeoutMs?: number;
  /**
   * Hosts that may be on loopback, link-local or private addresses (default: the comma-separated
   * VISAGE_MODEL_ALLOW_PRIVATE_HOSTS); every other URL and redirect to one is refused (http.ts).
   */
  allowPrivateHosts?: readonly string[];
}

/** One file of a download. */
export interface DownloadedFile {
  path: string;
  bytes: number;
  sha256: string;
  /** The mirror that served it; null for a data file found in place, intact, and kept. */
  url: string | null;
  /** Bytes taken from an earlier .part file (0 when it started from scratch). */
  resumedFrom: number;
}

export interface DownloadResult {
  /** The `.onnx`. */
  path: string;
  /** Bytes of all the model's files (the `.onnx` and its data files). */
  bytes: number;
  /** The `.onnx`'s checksum. */
  sha256: string;
  /** The mirror that served the `.onnx`. */
  url: string;
  /** Bytes taken from earlier .part files, over all files (0 when it started from scratch). */
  resumedFrom: number;
  /** Every file: the data files in catalog order, then the `.onnx`. */
  files: DownloadedFile[];
}

/** The download was cancelled through its AbortSignal; the partial file is kept. */
export class DownloadCancelledError extends Error {
  override name = 'AbortError';
}

/** The file one mirror serves is not the one the catalog describes (size or checksum). */
class WrongFileError extends Error {
  override name = 'WrongFileError';
}

interface Job {
  source: FileSource;
  url: string;
  finalPath: string;
  partPath: string;
  options: DownloadOptions;
}

/**
 * Downloads the model's `.onnx` and its external data files into `dir`. The model is complete only
 * when this resolves: a failure or a cancel leaves the finished files and the `.part` of the one in
 * progress, for the next call to resume.
 */
export async function downloadModel(
  source: DownloadSource,
  dir: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const parts: FileSource[] = [...(source.externalData ?? []), source];
  // Each file's size: the catalog's, else what its server announces once asked.
  const sizes = parts.map((p) => p.bytes);
  const total = () =>
    sizes.every((n) => n !== null) ? sizes.reduce<number>((a, n) => a + (n ?? 0), 0) : null;
  let finished = 0;
  const files: DownloadedFile[] = [];
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    const file =
      (last ? null : await keepIfIntact(part, dir)) ??
      (await downloadFile(part, dir, {
        ...options,
        onProgress: (received, announced) => {
          if (announced !== null) sizes[index] = announced;
          options.onProgress?.(finished + received, total());
        },
      }));
    sizes[index] = file.bytes;
    finished += file.bytes;
    files.push(file);
    if (file.url === null) options.onProgress?.(finished, total());
  }
  const model = files.at(-1) as DownloadedFile;
  return {
    path: model.path,
    bytes: finished,
    sha256: model.sha256,
    url: model.url as string,
    resumedFrom: files.reduce((n, f) => n + f.resumedFrom, 0),
    files,
  };
}

/**
 * A data file already in place from an earlier, interrupted pull, when its size (the catalog's or the
 * recorded one) and its sha256 (when known) are right; else null, and a wrong file is deleted.
 */
async function keepIfIntact(source: FileSource, dir: string): Promise<DownloadedFile | null> {
  const file = path.join(dir, source.file);
  const size = await fileSize(file);
  if (size === 0) return null;
  const expected = source.bytes ?? (await recordedSize(file));
  if (expected === null || size !== expected) return null;
  const sha256 = (await hashInto(file)).digest('hex');
  if (source.sha256 !== null && sha256 !== source.sha256) {
    await rm(file, { force: true });
    return null;
  }
  await rm(`${file}.part`, { force: true }); // a leftover of an attempt that finished anyway
  return { path: file, bytes: size, sha256, url: null, resumedFrom: 0 };
}

/** Downloads one file from its mirrors, in order. */
async function downloadFile(
  source: FileSource,
  dir: string,
  options: DownloadOptions,
): Promise<DownloadedFile & { url: string }> {
  if (source.urls.length === 0) throw new Error(`${source.file} has no download URL`);
  await mkdir(dir, { recursive: true });
  const finalPath = path.join(dir, source.file);
  const partPath = `${finalPath}.part`;
  const failures: Error[] = [];
  for (const [index, url] of source.urls.entries()) {
    try {
      return await fromMirror({ source, url, finalPath, partPath, options });
    } catch (error) {
      if (options.signal?.aborted) throw await cancelled(source.file, partPath, options.signal);
      const err = error instanceof Error ? error : new Error(String(error));
      failures.push(err);
      const next = source.urls[index + 1];
      if (next === undefined) break;
      // Bytes from another mirror can only be trusted when the checksum will vouch for the whole.
      if (source.sha256 === null) await rm(partPath, { force: true });
      options.onNotice?.(`${err.message}; trying the next mirror (${next})`);
    }
  }
  if (failures.length === 1 && failures[0]) throw failures[0];
  throw new Error(
    `Could not download ${source.file} from any of its ${failures.length} mirrors: ` +
      failures.map((f) => f.message).join('; '),
  );
}

async function cancelled(file: string, partPath: string, signal: AbortSignal) {
  const kept = await fileSize(partPath);
  return new DownloadCancelledError(
    `Download of ${file} cancelled; ${kept} bytes kept in ${partPath} for the next attempt to resume`,
    { cause: signal.reason },
  );
}

/** Tries one URL, retrying what may pass (network errors, 5xx) with exponential back-off. */
async function fromMirror(job: Job): Promise<DownloadedFile & { url: string }> {
  const { retries = 4, backoffMs = 1000, signal, onNotice } = job.options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptOnce(job);
    } catch (error) {
      const retryable = error instanceof NetworkError || (error instanceof HttpError && error.retryable);
      if (signal?.aborted || !retryable || attempt >= retries) throw error;
      const delay = backoffMs * 2 ** attempt;
      onNotice?.(`${error.message}; retrying in ${delay} ms (retry ${attempt + 1} of ${retries})`);
      await sleep(delay, undefined, { signal });
    }
  }
}

/** The file's size; 0 when there is none. */
async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** One request: resume from the part file when the server allows, else start over. */
async function attemptOnce(job: Job): Promise<DownloadedFile & { url: string }> {
  const { source, url, partPath, options } = job;
  let offset = await fileSize(partPath);
  if (source.bytes !== null && offset > source.bytes) {
    await rm(partPath, { force: true }); // longer than the file can be: not ours
    offset = 0;
  }
  if (source.bytes !== null && offset === source.bytes) {
    // Complete already (e.g. cancelled just before the rename): keep it if it checks out.
    const hash = await hashInto(partPath);
    if (source.sha256 === null || hash.copy().digest('hex') === source.sha256) {
      return finish(job, hash, offset, offset);
    }
    options.onNotice?.(`${partPath} is complete but its checksum is wrong; downloading it again`);
    await rm(partPath, { force: true });
    offset = 0;
  }

  // A server may refuse the range (416) or answer from another offset; then start over once.
  for (let restart = 0; ; restart++) {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const { response } = await get(url, {
      headers,
      signal: options.signal,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      allowPrivateHosts: options.allowPrivateHosts,
    });
    const status = response.statusCode ?? 0;
    const start = status === 206 ? rangeStart(response) : 0;
    if (offset > 0 && restart === 0 && (status === 416 || (status === 206 && start !== offset))) {
      response.resume();
      options.onNotice?.(`${url} could not resume at byte ${offset}; starting over`);
      await rm(partPath, { force: true });
      offset = 0;
      continue;
    }
    if (status !== 200 && status !== 206) {
      response.resume();
      throw new HttpError(url, status, response.statusMessage);
    }
    if (status === 200 && offset > 0) {
      options.onNotice?.(`${url} ignored the Range request; starting over`);
      offset = 0;
    }
    return receive(job, response, offset);
  }
}

function rangeStart(response: IncomingMessage): number {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
  return match ? Number(match[1]) : -1;
}

function totalOf(response: IncomingMessage, offset: number): number | null {
  if (response.statusCode === 206) {
    const total = /\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1];
    if (total) return Number(total);
  }
  const length = response.headers['content-length'];
  return length ? offset + Number(length) : null;
}

/** Streams the body onto the part file (appending when resuming) while hashing it. */
async function receive(
  job: Job,
  response: IncomingMessage,
  offset: number,
): Promise<DownloadedFile & { url: string }> {
  const { source, url, partPath, options } = job;
  const served = totalOf(response, offset);
  if (served !== null && source.bytes !== null && served !== source.bytes) {
    response.destroy();
    throw new WrongFileError(`${url} serves ${served} bytes for ${source.file}, expected ${source.bytes}`);
  }
  const total = served ?? source.bytes;
  // The part's bytes are re-read from disk, so the digest covers exactly what the file holds.
  const hash = offset > 0 ? await hashInto(partPath) : createHash('sha256');
  const file = await open(partPath, offset > 0 ? 'a' : 'w');
  let received = offset;
  try {
    options.onProgress?.(received, total);
    const body = response[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await body.next();
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new NetworkError(
          `${url}: connection lost after ${received} bytes (${(error as Error).message})`,
          { cause: error },
        );
      }
      if (next.done) break;
      // Stop at once when the server sends more than the file can hold (it may not say so up front).
      if (total !== null && received + next.value.length > total) {
        response.destroy();
        await rm(partPath, { force: true });
        throw new WrongFileError(
          `${url} sent more than the ${total} bytes expected for ${source.file}; stopped and discarded it`,
        );
      }
      hash.update(next.value);
      await file.write(next.value);
      received += next.value.length;
      options.onProgress?.(received, total);
    }
    if (total !== null && received < total) {
      throw new NetworkError(`${url}: connection closed after ${received} of ${total} bytes`);
    }
    await file.sync(); // on disk before the rename makes it visible
  } finally {
    await file.close();
  }
  return finish(job, hash, received, offset);
}

/** Checks size and checksum of the complete part file, then renames it into place. */
async function finish(
  job: Job,
  hash: Hash,
  received: number,
  resumedFrom: number,
): Promise<DownloadedFile & { url: string }> {
  const { source, url, partPath, finalPath } = job;
  const actual = hash.digest('hex');
  if (received === 0) {
    await rm(partPath, { force: true });
    throw new WrongFileError(`${url} sent an empty file for ${source.file}`);
  }
  if (source.bytes !== null && received !== source.bytes) {
    await rm(partPath, { force: true });
    throw new WrongFileError(`${url} sent ${received} bytes for ${source.file}, expected ${source.bytes}`);
  }
  if (source.sha256 !== null && actual !== source.sha256) {
    await rm(partPath, { force: true });
    throw new ChecksumError(source.file, url, source.sha256, actual);
  }
  if (source.bytes === null) await recordSize(finalPath, received);
  await rename(partPath, finalPath);
  return { path: finalPath, bytes: received, sha256: actual, url, resumedFrom };
}
