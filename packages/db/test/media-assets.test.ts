import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/index.ts';
import { createAsset, deleteAsset, MediaStore } from '../src/media/index.ts';
import { imageBytes } from '../src/media/testing.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

describe('media assets', () => {
  let database: TestDatabase;
  let db: Db;
  let dir: string;
  let store: MediaStore;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'media' });
    db = createDb({ url: database.url, applicationName: 'visage-media-test' });
    dir = await mkdtemp(path.join(os.tmpdir(), 'visage-media-assets-'));
    store = new MediaStore(dir);
    await db.user.create({ data: { id: 'owner', name: 'Ada', email: 'ada@example.com' } });
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
    yield bytes;
  }

  it('should keep one file for two uploads and delete it with the last asset', async () => {
    const png = await imageBytes('png', 640, 480);
    const first = await store.ingest(once(png), { originalName: 'a.png' });
    const second = await store.ingest(once(png), { originalName: 'b.png' });
    expect(second.storageKey).toBe(first.storageKey);

    const a = await createAsset(db, first, {
      ownerId: 'owner',
      kind: 'upload',
      originalName: 'a.png',
      store,
    });
    const b = await createAsset(db, second, { ownerId: 'owner', kind: 'output' });
    expect(a).toMatchObject({
      ownerId: 'owner',
      organizationId: null,
      kind: 'upload',
      originalName: 'a.png',
      mime: 'image/png',
      bytes: BigInt(png.byteLength),
      sha256: first.sha256,
      storageKey: first.storageKey,
      thumbnailKey: first.thumbnailKey,
      width: 640,
      height: 480,
      durationMs: null,
      hasAudio: null,
    });
    expect(b.id).not.toBe(a.id);
    expect(await db.asset.count({ where: { storageKey: first.storageKey } })).toBe(2);

    const file = store.absolutePath(first.storageKey);
    const thumbnail = store.absolutePath(first.thumbnailKey);
    expect(await deleteAsset(db, store, a.id)).toMatchObject({ asset: { id: a.id }, fileRemoved: false });
    expect(existsSync(file)).toBe(true);
    expect(existsSync(thumbnail)).toBe(true);

    expect(await deleteAsset(db, store, b.id)).toMatchObject({ asset: { id: b.id }, fileRemoved: true });
    expect(existsSync(file)).toBe(false);
    expect(existsSync(thumbnail)).toBe(false);
    expect(await db.asset.count()).toBe(0);
  });

  it('should return null for an asset that does not exist', async () => {
    expect(await deleteAsset(db, store, '00000000-0000-7000-8000-000000000000')).toBeNull();
  });

  it('should refuse to create a row for a file that is no longer stored', async () => {
    const stored = await store.ingest(once(await imageBytes('png', 32, 32, { r: 1, g: 1, b: 1 })));
    await store.remove(stored.storageKey);
    await expect(createAsset(db, stored, { ownerId: 'owner', kind: 'upload', store })).rejects.toThrow(
      /was deleted before its asset row was created/,
    );
    expect(await db.asset.count({ where: { sha256: stored.sha256 } })).toBe(0);
  });

  it('should serialise concurrent deletes of the last two rows so the file is removed exactly once', async () => {
    const stored = await store.ingest(once(await imageBytes('png', 16, 16, { r: 2, g: 2, b: 2 })));
    const rows = await Promise.all(
      [1, 2].map(() => createAsset(db, stored, { ownerId: 'owner', kind: 'upload', store })),
    );
    const results = await Promise.all(rows.map((row) => deleteAsset(db, store, row.id)));
    expect(results.map((r) => r?.fileRemoved).sort()).toEqual([false, true]);
    expect(existsSync(store.absolutePath(stored.storageKey))).toBe(false);
  });
});
