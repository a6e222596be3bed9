import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, pingDb } from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

describe(createDb.name, () => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'db' });
    db = createDb({ url: database.url, applicationName: 'visage-db-test' });
  });
  afterAll(async () => {
    await db.$disconnect();
    await database.drop();
  });

  it('should connect under its application name', async () => {
    await pingDb(db);
    const rows = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'visage-db-test' AND datname = ${database.name}`;
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
  });

  it('should store a job with its input and output assets', async () => {
    const user = await db.user.create({ data: { id: 'u1', name: 'Ada', email: 'ada@example.com' } });
    const source = await db.asset.create({
      data: {
        ownerId: user.id,
        kind: 'upload',
        mime: 'image/png',
        bytes: 3_000_000_000n, // larger than a 32-bit int: videos can be
        sha256: 'a'.repeat(64),
        storageKey: 'aa/aaaa.png',
        width: 512,
        height: 512,
      },
    });
    const job = await db.job.create({
      data: {
        ownerId: user.id,
        plugin: 'faceswap',
        input: { source: [source.id], strength: 0.8 },
        assets: { create: [{ assetId: source.id, role: 'input', slot: 'source' }] },
      },
      include: { assets: { include: { asset: true } } },
    });
    expect(job.status).toBe('queued');
    expect(job.progress).toBe(0);
    expect(job.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.assets[0]?.asset.bytes).toBe(3_000_000_000n);
    expect(job.input).toEqual({ source: [source.id], strength: 0.8 });

    // Deleting the user removes their jobs and assets (and the links) with them.
    await db.user.delete({ where: { id: user.id } });
    expect(await db.job.count()).toBe(0);
    expect(await db.jobAsset.count()).toBe(0);
    expect(await db.asset.count()).toBe(0);
  });

  it('should keep two uploads of one file as two assets sharing a storage key', async () => {
    const user = await db.user.create({ data: { id: 'u2', name: 'Bo', email: 'bo@example.com' } });
    const common = {
      ownerId: user.id,
      kind: 'upload' as const,
      mime: 'image/jpeg',
      bytes: 10n,
      sha256: 'b'.repeat(64),
    };
    await db.asset.createMany({
      data: [
        { ...common, storageKey: 'bb/b.jpg' },
        { ...common, storageKey: 'bb/b.jpg' },
      ],
    });
    expect(await db.asset.count({ where: { sha256: 'b'.repeat(64) } })).toBe(2);
  });
});
