import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyMigrations,
  createMigration,
  diffSchemas,
  hasStatements,
  listMigrations,
  MIGRATIONS_DIR,
  SCHEMA_PATH,
} from '../src/migrations/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Everything about the public schema that a migration can change, as comparable text. */
async function catalog(url: string): Promise<string[]> {
  const columns = await query(
    url,
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  const indexes = await query(
    url,
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  );
  const constraints = await query(
    url,
    `SELECT conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace LEFT JOIN pg_class r ON r.oid = c.conrelid
      WHERE n.nspname = 'public' AND r.relname IS DISTINCT FROM '_prisma_migrations'`,
  );
  const enums = await query(
    url,
    `SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid`,
  );
  return [...columns, ...indexes, ...constraints, ...enums].map((row) => JSON.stringify(row)).sort();
}

describe('migrations', () => {
  const databases: TestDatabase[] = [];
  let migrated: TestDatabase;

  beforeAll(async () => {
    migrated = await createTestDatabase({ migrate: false, label: 'db' });
    databases.push(migrated);
  });
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('should migrate a fresh database to the current schema', async () => {
    const all = (await listMigrations()).map((m) => m.name);
    expect(all.length).toBeGreaterThan(0);
    expect(await applyMigrations(migrated.url)).toEqual(all);
    const tables = (
      await query<{ tablename: string }>(
        migrated.url,
        `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`,
      )
    ).map((r) => r.tablename);
    for (const table of [
      'user',
      'session',
      'account',
      'apikey',
      'organization',
      'member',
      'asset',
      'job',
      'job_asset',
    ]) {
      expect(tables).toContain(table);
    }
    const recorded = await query<{ migration_name: string; finished_at: Date | null }>(
      migrated.url,
      'SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(recorded.map((r) => r.migration_name)).toEqual(all);
    expect(recorded.every((r) => r.finished_at !== null)).toBe(true);
  });

  it('should apply nothing the second time', async () => {
    const before = await catalog(migrated.url);
    expect(await applyMigrations(migrated.url)).toEqual([]);
    const rows = await query(migrated.url, 'SELECT * FROM _prisma_migrations');
    expect(rows).toHaveLength((await listMigrations()).length);
    expect(await catalog(migrated.url)).toEqual(before);
  });

  it('should have migrations that agree with schema.prisma', async () => {
    const schema = await readFile(SCHEMA_PATH, 'utf8');
    const latest = (await listMigrations()).at(-1);
    const pending = await diffSchemas(latest?.snapshot ?? null, schema, migrated.url);
    expect(hasStatements(pending), `schema.prisma has changes no migration covers:\n${pending}`).toBe(false);

    // Independently of the snapshots: a database built straight from schema.prisma must have the
    // same tables, columns, indexes, constraints and enums as one built from the migration files.
    const direct = await createTestDatabase({ migrate: false, label: 'db' });
    databases.push(direct);
    await query(direct.url, await diffSchemas(null, schema, direct.url));
    expect(await catalog(migrated.url)).toEqual(await catalog(direct.url));
  });
});

describe('createMigration', () => {
  let dir: string;
  let schemaPath: string;
  let serverUrl: TestDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'visage-migrations-'));
    await cp(MIGRATIONS_DIR, path.join(dir, 'migrations'), { recursive: true });
    schemaPath = path.join(dir, 'schema.prisma');
    await cp(SCHEMA_PATH, schemaPath);
    serverUrl = await createTestDatabase({ migrate: false, label: 'db' });
  });
  afterAll(async () => {
    await serverUrl.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should write nothing when the schema is unchanged', async () => {
    const migrationsDir = path.join(dir, 'migrations');
    const before = await readdir(migrationsDir);
    expect(await createMigration('nothing', serverUrl.url, { dir: migrationsDir, schemaPath })).toBeNull();
    expect(await readdir(migrationsDir)).toEqual(before);
  });

  it('should write the SQL and a snapshot for a schema change, in order', async () => {
    const migrationsDir = path.join(dir, 'migrations');
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(
      schemaPath,
      `${schema}\nmodel Tag {\n  id   String @id\n  name String\n  @@map("tag")\n}\n`,
    );
    const created = await createMigration('add_tag', serverUrl.url, {
      dir: migrationsDir,
      schemaPath,
      now: new Date('2999-01-02T03:04:05.006Z'),
    });
    expect(created?.name).toBe('29990102030405006_add_tag');
    expect(created?.sql).toContain('CREATE TABLE "tag"');
    expect(created?.sql).not.toContain('CREATE TABLE "job"');
    const listed = await listMigrations(migrationsDir);
    expect(listed.at(-1)?.name).toBe('29990102030405006_add_tag');
    expect(listed.at(-1)?.snapshot).toContain('model Tag');

    // The new migration applies on top of the old ones.
    await applyMigrations(serverUrl.url, migrationsDir);
    const tag = await query(serverUrl.url, `SELECT to_regclass('public.tag') AS t`);
    expect(tag[0]).toEqual({ t: 'tag' });
  });

  it('should reject a name that is not snake_case', async () => {
    await expect(createMigration('Add Tag', serverUrl.url, { dir, schemaPath })).rejects.toThrow(
      /lower-case letters, digits and underscores/,
    );
  });
});
