// Asset rows for stored media. Several rows may share one stored file (same bytes uploaded twice);
// the file goes when its last row does.
import type { Db } from '../client.ts';
import type { Asset, Prisma } from '../generated/prisma/client.ts';
import type { AssetKind } from '../generated/prisma/enums.ts';
import type { MediaStore, StoredMedia } from './store.ts';

export interface NewAsset {
  ownerId: string;
  organizationId?: string | null;
  kind: AssetKind;
  originalName?: string | null;
  /** Provenance kept with the asset (a live recording's plugin, models and provider…). */
  metadata?: Prisma.InputJsonValue;
  /**
   * When given, the stored file is checked to still exist under the lock `deleteAsset` takes: this
   * closes the window where the last other row is deleted (with the file) between ingest and insert.
   */
  store?: MediaStore;
}

export async function createAsset(db: Db, stored: StoredMedia, options: NewAsset): Promise<Asset> {
  const { ownerId, organizationId = null, kind, originalName = null, metadata, store } = options;
  return db.$transaction(async (tx) => {
    await lockStorageKey(tx, stored.storageKey);
    if (store && !(await store.has(stored.storageKey))) {
      throw new Error(
        `Stored file ${stored.storageKey} was deleted before its asset row was created; ingest the file again.`,
      );
    }
    return tx.asset.create({
      data: {
        ownerId,
        organizationId,
        kind,
        originalName,
        ...(metadata === undefined ? {} : { metadata }),
        ...storedFields(stored),
      },
    });
  });
}

/** An Asset row's columns that describe its stored file. */
export function storedFields(stored: StoredMedia) {
  return {
    mime: stored.mime,
    bytes: BigInt(stored.bytes),
    sha256: stored.sha256,
    storageKey: stored.storageKey,
    thumbnailKey: stored.thumbnailKey,
    width: stored.width,
    height: stored.height,
    durationMs: stored.durationMs ?? null,
    fps: stored.fps ?? null,
    codec: stored.codec ?? null,
    hasAudio: stored.hasAudio ?? null,
  };
}

export interface DeletedAsset {
  asset: Asset;
  /** Whether this was the last row for its file, so the file and its preview were removed. */
  fileRemoved: boolean;
}

/** Deletes an asset row, and its file when no other row uses it. Null when there is no such asset. */
export async function deleteAsset(db: Db, store: MediaStore, assetId: string): Promise<DeletedAsset | null> {
  return db.$transaction(async (tx) => {
    const asset = await tx.asset.findUnique({ where: { id: assetId } });
    if (!asset) return null;
    await lockStorageKey(tx, asset.storageKey);
    // A concurrent delete of the same row may have won the lock: then there is nothing left to do.
    const { count } = await tx.asset.deleteMany({ where: { id: assetId } });
    if (count === 0) return null;
    const others = await tx.asset.count({ where: { storageKey: asset.storageKey } });
    if (others > 0) return { asset, fileRemoved: false };
    // Removed while the lock is held, so no createAsset for this file can slip in between. If removal
    // fails the transaction rolls back and the row stays, pointing at a file that still exists.
    await store.remove(asset.storageKey);
    if (asset.thumbnailKey) await store.remove(asset.thumbnailKey);
    return { asset, fileRemoved: true };
  });
}

/** Serialises createAsset/deleteAsset (and job output commits) for one stored file, until the transaction ends. */
export async function lockStorageKey(tx: Prisma.TransactionClient, storageKey: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${storageKey}, 0))`;
}
