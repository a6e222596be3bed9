// A job's outputs are staged in the media store's tmp/ while it runs and committed together with
// their Asset rows, output links and the job's `succeeded` in one transaction (docs/reliability.md §1):
// a crashed, failed or superseded run leaves no row, and nothing in the store that a later attempt or
// the worker's start-up sweep does not remove.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../client.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { lockStorageKey, storedFields } from './assets.ts';
import { removeAll } from './cleanup.ts';
import { MediaError } from './errors.ts';
import { storageKeyFor, thumbnailKeyFor } from './keys.ts';
import type { MediaStore, StoredMedia } from './store.ts';

/** One output of a run, probed and waiting in tmp/ for the job's commit. */
export interface StagedOutput {
  /** The id its Asset row will get (handed to the plugin by `writeOutput`). */
  assetId: string;
  slot: string;
  position: number;
  kind: 'output' | 'motion';
  stored: StoredMedia;
  /** Absolute paths of the staged file and its preview. */
  file: string;
  thumbnail: string;
}

/** What `succeed` commits with the job. */
export interface JobOutputs {
  store: MediaStore;
  staged: readonly StagedOutput[];
}

/** A UUIDv7 (time-ordered, like the ids PostgreSQL rows get from `uuid(7)`). */
export function newAssetId(): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Inside the transaction that marks the job succeeded: under each file's storage-key lock, hard-links
 * the staged file and its preview into place (unless that content is stored already) and creates the
 * Asset rows and output links. A file is in place before its row commits, so no row ever lacks its
 * file; a file placed by a transaction that then rolls back is removed by `discardStagedOutputs`.
 */
export async function placeStagedOutputs(
  tx: Prisma.TransactionClient,
  store: MediaStore,
  job: { id: string; ownerId: string; organizationId: string | null },
  outputs: readonly StagedOutput[],
): Promise<void> {
  // In one order, so two commits sharing files cannot deadlock on the locks.
  const keys = [...new Set(outputs.map((o) => o.stored.storageKey))].sort();
  for (const key of keys) await lockStorageKey(tx, key);
  for (const output of outputs) {
    const { stored } = output;
    try {
      await linkInto(store, output.thumbnail, stored.thumbnailKey);
      await linkInto(store, output.file, stored.storageKey);
    } catch (error) {
      throw MediaError.fromStorage(error, store.root, { name: output.slot });
    }
    await tx.asset.create({
      data: {
        id: output.assetId,
        ownerId: job.ownerId,
        organizationId: job.organizationId,
        kind: output.kind,
        ...storedFields(stored),
      },
    });
  }
  await tx.jobAsset.createMany({
    data: outputs.map((o) => ({
      jobId: job.id,
      assetId: o.assetId,
      role: 'output' as const,
      slot: o.slot,
      position: o.position,
    })),
  });
}

/** After the commit: the staged names are no longer needed (the placed links stay). */
export async function releaseStagedFiles(outputs: readonly StagedOutput[]): Promise<void> {
  await removeAll(outputs.flatMap((o) => [o.file, o.thumbnail]));
}

/** `target` becomes another name of `staged`; content already stored there is kept (same bytes). */
async function linkInto(store: MediaStore, staged: string, key: string): Promise<void> {
  const target = store.absolutePath(key);
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await link(staged, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** tmp/ entries of staged outputs: `job-<jobId>-<assetId>.<sha256>.<ext>[.thumb]`, or a part file. */
const STAGED_NAME =
  /^job-([0-9a-f-]{36})-([0-9a-f-]{36})\.(?:([0-9a-f]{64})\.(\w+)(\.thumb)?|upload|preview)$/;

interface StagedEntry {
  name: string;
  jobId: string;
  assetId: string;
  /** Where a commit would have placed it; absent for a part file (never placed). */
  content?: { sha256: string; ext: string; thumbnail: boolean };
}

async function stagedEntries(store: MediaStore): Promise<StagedEntry[]> {
  let names: string[];
  try {
    names = await readdir(store.absolutePath('tmp'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.flatMap((name) => {
    const match = STAGED_NAME.exec(name);
    if (!match) return [];
    const [, jobId = '', assetId = '', sha256, ext, thumb] = match;
    return [
      {
        name,
        jobId,
        assetId,
        ...(sha256 && ext ? { content: { sha256, ext, thumbnail: thumb !== undefined } } : {}),
      },
    ];
  });
}

/**
 * Removes a job's staged outputs (all of them, or only `assetIds`) and any file an uncommitted
 * transaction placed from them: under the storage key's lock, a placed file that is the very same
 * file as the staged one (a hard link) and that no Asset row references is deleted. Content that
 * a row references, or that came from elsewhere, stays. Returns how many staged files it removed.
 */
export async function discardStagedOutputs(
  db: Db,
  store: MediaStore,
  jobId: string,
  assetIds?: readonly string[],
): Promise<number> {
  const entries = (await stagedEntries(store)).filter(
    (e) => e.jobId === jobId && (!assetIds || assetIds.includes(e.assetId)),
  );
  for (const entry of entries) {
    const staged = store.absolutePath(`tmp/${entry.name}`);
    if (entry.content) await removeUncommittedPlacement(db, store, staged, entry.content);
    await removeAll([staged]);
  }
  return entries.length;
}

async function removeUncommittedPlacement(
  db: Db,
  store: MediaStore,
  staged: string,
  { sha256, ext, thumbnail }: NonNullable<StagedEntry['content']>,
): Promise<void> {
  const storageKey = storageKeyFor(sha256, ext);
  const key = thumbnail ? thumbnailKeyFor(sha256) : storageKey;
  await db.$transaction(async (tx) => {
    await lockStorageKey(tx, storageKey);
    const used = await tx.asset.count({ where: thumbnail ? { thumbnailKey: key } : { storageKey: key } });
    if (used > 0 || !(await sameFile(staged, store.absolutePath(key)))) return;
    await store.remove(key);
  });
}

/** Whether both names exist and are one file (hard links to the same inode). */
async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([statIfExists(a), statIfExists(b)]);
  return x !== null && y !== null && x.ino === y.ino && x.dev === y.dev;
}

async function statIfExists(file: string) {
  try {
    return await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * At worker start: discards the staged outputs of every job that is not running (a worker killed
 * between a commit and removing the staged names, or a job the stall check failed). Running jobs'
 * files are left to their run (or to the attempt that claims them next).
 */
export async function sweepStagedOutputs(db: Db, store: MediaStore): Promise<number> {
  // Listed before the statuses are read: a run that claims the job after that stages under new ids.
  const entries = await stagedEntries(store);
  const jobIds = [...new Set(entries.map((e) => e.jobId))];
  if (jobIds.length === 0) return 0;
  const running = await db.job.findMany({
    where: { id: { in: jobIds }, status: 'running' },
    select: { id: true },
  });
  const busy = new Set(running.map((j) => j.id));
  let removed = 0;
  for (const jobId of jobIds) {
    if (busy.has(jobId)) continue;
    const assetIds = entries.filter((e) => e.jobId === jobId).map((e) => e.assetId);
    removed += await discardStagedOutputs(db, store, jobId, assetIds);
  }
  return removed;
}
