// The content-addressed media store: files live at <root>/<sha[0..2]>/<sha[2..4]>/<sha256>.<ext>, their
// previews at <root>/thumbs/<sha256>.webp, and uploads in progress under <root>/tmp/ (same filesystem,
// so finishing one is an atomic rename).
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { removeAll, withCleanup } from './cleanup.ts';
import { MediaError, type MediaSubject } from './errors.ts';
import { resolveKey, storageKeyFor, thumbnailKeyFor } from './keys.ts';
import {
  DEFAULT_MEDIA_LIMITS,
  limitFor,
  type MediaKind,
  type MediaLimits,
  type SupportedType,
} from './limits.ts';
import { probeImage, probeVideo } from './probe.ts';
import { type ByteSource, receive } from './receive.ts';
import { sniffType } from './sniff.ts';
import { writeImageThumbnail, writeVideoPoster } from './thumbnails.ts';

export interface StoredMedia {
  sha256: string;
  bytes: number;
  /** Detected from the bytes, e.g. "image/png". */
  mime: string;
  kind: MediaKind;
  /** Relative to the store root, with "/" separators. */
  storageKey: string;
  thumbnailKey: string;
  width: number;
  height: number;
  durationMs?: number;
  fps?: number;
  codec?: string;
  hasAudio?: boolean;
}

async function* bytesOf(data: Uint8Array): AsyncGenerator<Uint8Array> {
  yield data;
}

/**
 * Bytes in memory or a file on disk as a source to ingest, with its size; `close()` releases the
 * file's descriptor also when ingest refused it before reading.
 */
async function openSource(
  from: { path: string } | { data: Uint8Array },
): Promise<{ source: ByteSource; declaredBytes: number; close(): Promise<void> }> {
  if ('data' in from)
    return {
      source: bytesOf(from.data),
      declaredBytes: from.data.byteLength,
      close: () => Promise.resolve(),
    };
  const { size } = await stat(from.path);
  const stream = createReadStream(from.path);
  return { source: stream, declaredBytes: size, close: async () => void stream.destroy() };
}

/** The start of a job output's names in tmp/ (staged.ts parses them back). */
export const stagedStem = (jobId: string, assetId: string) => `job-${jobId}-${assetId}`;

export interface IngestOptions {
  /** Only used in error messages; the stored name and type come from the content. */
  originalName?: string;
  /** The size the client announced (Content-Length); lets an oversized upload be refused unread. */
  declaredBytes?: number;
}

export class MediaStore {
  readonly root: string;
  readonly limits: MediaLimits;
  readonly #tmpDir: string;

  constructor(root: string, limits: MediaLimits = DEFAULT_MEDIA_LIMITS) {
    this.root = path.resolve(root);
    this.limits = limits;
    this.#tmpDir = path.join(this.root, 'tmp');
  }

  /** Stores an upload: checks type and size while streaming, probes it, writes its preview. */
  async ingest(source: ByteSource, options: IngestOptions = {}): Promise<StoredMedia> {
    const largest = this.#largestLimit();
    const { declaredBytes, originalName: name } = options;
    if (declaredBytes !== undefined && declaredBytes > largest.limit) {
      throw MediaError.tooLarge({ name }, largest.kind, largest.limit, declaredBytes);
    }
    await mkdir(this.#tmpDir, { recursive: true }).catch(this.#refusedWrite(name));
    const id = randomUUID();
    const upload = path.join(this.#tmpDir, `${id}.upload`);
    const thumbnail = path.join(this.#tmpDir, `${id}.webp`);
    // After success both temp files have been renamed away or are redundant (dedupe): always remove.
    return withCleanup(
      () => this.#ingest(source, options, upload, thumbnail),
      () => removeAll([upload, thumbnail]),
    ).catch(this.#refusedWrite(name));
  }

  /**
   * Checks and probes a job's output like an upload, but leaves it and its preview in tmp/ as
   * `job-<jobId>-<assetId>.<sha256>.<ext>` (and `….thumb`) until the job commits (staged.ts).
   * Nothing is left in tmp/ when it fails.
   */
  async stage(
    output: { path: string } | { data: Uint8Array },
    { jobId, assetId, originalName }: { jobId: string; assetId: string; originalName?: string },
  ): Promise<{ stored: StoredMedia; file: string; thumbnail: string }> {
    const stem = path.join(this.#tmpDir, stagedStem(jobId, assetId));
    const temps = [`${stem}.upload`, `${stem}.preview`] as const;
    const placed: string[] = [];
    try {
      await mkdir(this.#tmpDir, { recursive: true });
      const { source, declaredBytes, close } = await openSource(output);
      const stored = await withCleanup(
        () => this.#ingest(source, { originalName, declaredBytes }, ...temps, true),
        close,
      );
      const file = `${stem}.${path.basename(stored.storageKey)}`;
      const thumbnail = `${file}.thumb`;
      placed.push(thumbnail, file);
      await rename(temps[1], thumbnail);
      await rename(temps[0], file);
      return { stored, file, thumbnail };
    } catch (error) {
      await removeAll([...temps, ...placed]);
      throw MediaError.fromStorage(error, this.root, { name: originalName });
    }
  }

  /** Stores a file from disk (e.g. a job's output); the file itself is left where it is. */
  async ingestFile(file: string, options: IngestOptions = {}): Promise<StoredMedia> {
    const { source, declaredBytes, close } = await openSource({ path: file });
    const originalName = options.originalName ?? path.basename(file);
    return withCleanup(() => this.ingest(source, { originalName, declaredBytes }), close);
  }

  /**
   * Removes uploads in progress older than `maxAgeMs` from tmp/: what a process killed mid-upload
   * left behind. Run at start-up. Returns how many files were removed.
   */
  async sweepTemp(maxAgeMs = 24 * 3600 * 1000): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.#tmpDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const cutoff = Date.now() - maxAgeMs;
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.#tmpDir, name);
      const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null; // finished (renamed away) meanwhile
        throw error;
      });
      if (info?.isFile() && info.mtimeMs < cutoff) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** The absolute path of a storage key; throws for keys that would leave the root. */
  absolutePath(key: string): string {
    return resolveKey(this.root, key);
  }

  /** Deletes a stored file; a file that is already gone is fine, any other failure throws. */
  async remove(key: string): Promise<void> {
    try {
      await unlink(this.absolutePath(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  async #ingest(
    source: ByteSource,
    { originalName: name, declaredBytes }: IngestOptions,
    upload: string,
    thumbnail: string,
    staging = false,
  ): Promise<StoredMedia> {
    const received = await receive(source, upload, {
      initialLimit: this.#largestLimit().limit,
      admit: async (head) => {
        const type = await sniffType(head, { name });
        const limit = limitFor(type.kind, this.limits);
        if (declaredBytes !== undefined && declaredBytes > limit) {
          throw MediaError.tooLarge({ name }, type.kind, limit, declaredBytes);
        }
        return { limit, verdict: type };
      },
      tooLarge: (limit, type: SupportedType | undefined) =>
        MediaError.tooLarge({ name }, type?.kind ?? this.#largestLimit().kind, limit),
    });
    const { sha256, bytes, verdict: type } = received;
    if (!type) throw MediaError.empty({ name });

    const subject: MediaSubject = { name, what: `${type.label} ${type.kind}` };
    const storageKey = storageKeyFor(sha256, type.ext);
    const thumbnailKey = thumbnailKeyFor(sha256);
    const base = { sha256, bytes, mime: type.mime, kind: type.kind, storageKey, thumbnailKey };

    let stored: StoredMedia;
    if (type.kind === 'image') {
      const { width, height } = await probeImage(upload, subject);
      stored = { ...base, width, height };
      if (staging || !(await this.has(thumbnailKey))) await writeImageThumbnail(upload, thumbnail);
    } else {
      const video = await probeVideo(upload, subject);
      stored = { ...base, ...video };
      if (staging || !(await this.has(thumbnailKey))) {
        await writeVideoPoster(upload, video.durationMs, thumbnail, subject);
      }
    }
    if (staging) return stored; // placed when the job commits (staged.ts)
    // Preview first: a stored file then always has its preview.
    await this.#place(thumbnail, thumbnailKey);
    await this.#place(upload, storageKey);
    return stored;
  }

  /**
   * Moves a finished temp file to `key` unless that content is already stored (dedupe; the caller
   * removes the temp). Two concurrent uploads of the same bytes may both rename: the second atomically
   * replaces identical content, so readers never see a partial file.
   */
  async #place(temp: string, key: string): Promise<void> {
    const target = this.absolutePath(key);
    if (await this.has(key)) return;
    await mkdir(path.dirname(target), { recursive: true });
    await rename(temp, target);
  }

  /** Whether a file is stored under `key`. */
  async has(key: string): Promise<boolean> {
    try {
      await stat(this.absolutePath(key));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  /** A `.catch` handler that words a write the media folder refused (full, read-only) for people. */
  #refusedWrite(name: string | undefined): (error: unknown) => never {
    return (error) => {
      throw MediaError.fromStorage(error, this.root, { name });
    };
  }

  #largestLimit(): { kind: MediaKind; limit: number } {
    const { maxImageBytes, maxVideoBytes } = this.limits;
    return maxVideoBytes >= maxImageBytes
      ? { kind: 'video', limit: maxVideoBytes }
      : { kind: 'image', limit: maxImageBytes };
  }
}
