// Migration files: packages/db/migrations/<YYYYMMDDHHMMSSmmm>_<name>/{migration.sql,schema.prisma}.
// Each directory keeps a snapshot of the schema it was generated from, so the next migration is the
// diff between the newest snapshot and the current schema, computed without a database.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { withSchemaEngine } from './schema-engine.ts';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const MIGRATIONS_DIR = path.join(packageRoot, 'migrations');
export const SCHEMA_PATH = path.join(packageRoot, 'prisma', 'schema.prisma');
const LOCKFILE = 'migration_lock.toml';
const LOCKFILE_CONTENT =
  '# Written by packages/db/scripts/migrate.ts. Keep it in version control.\nprovider = "postgresql"\n';
const NO_FILTERS = { externalTables: [], externalEnums: [] };

export interface MigrationDir {
  name: string;
  sql: string;
  snapshot: string | null;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<MigrationDir[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      sql: await readFile(path.join(dir, name, 'migration.sql'), 'utf8'),
      snapshot: await readFile(path.join(dir, name, 'schema.prisma'), 'utf8').catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return null;
          throw error;
        },
      ),
    })),
  );
}

/**
 * SQL that turns a database shaped like `from` (null = empty) into one shaped like `to`.
 * Compares schema files only, but the engine opens a connection when it starts, so `databaseUrl`
 * must reach a PostgreSQL server (any database on it).
 */
export async function diffSchemas(from: string | null, to: string, databaseUrl: string): Promise<string> {
  return withSchemaEngine(databaseUrl, async (engine) => {
    const result = await engine.diff({
      from:
        from === null
          ? { tag: 'empty' }
          : { tag: 'schemaDatamodel', files: [{ path: 'from.prisma', content: from }] },
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: to }] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return result.stdout ?? '';
  });
}

/** True when a diff script contains statements (the engine emits a comment for "no changes"). */
export function hasStatements(sql: string): boolean {
  return sql.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--'));
}

function timestamp(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}${p(now.getUTCMilliseconds(), 3)}`
  );
}

/**
 * Writes a new migration for the changes between the newest snapshot and the schema file.
 * Returns null (and writes nothing) when the schema has not changed.
 */
export async function createMigration(
  name: string,
  databaseUrl: string,
  { dir = MIGRATIONS_DIR, schemaPath = SCHEMA_PATH, now = new Date() } = {},
): Promise<{ name: string; sql: string } | null> {
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw new Error(`Migration name "${name}" must use only lower-case letters, digits and underscores.`);
  }
  const schema = await readFile(schemaPath, 'utf8');
  const previous = (await listMigrations(dir)).at(-1);
  if (previous && previous.snapshot === null) {
    throw new Error(`Migration ${previous.name} has no schema.prisma snapshot; cannot diff against it.`);
  }
  const sql = await diffSchemas(previous?.snapshot ?? null, schema, databaseUrl);
  if (!hasStatements(sql)) return null;
  const dirName = `${timestamp(now)}_${name}`;
  await mkdir(path.join(dir, dirName), { recursive: true });
  await writeFile(path.join(dir, dirName, 'migration.sql'), sql);
  await writeFile(path.join(dir, dirName, 'schema.prisma'), schema);
  await writeFile(path.join(dir, LOCKFILE), LOCKFILE_CONTENT);
  return { name: dirName, sql };
}

/** Creates the database named in `databaseUrl` if it does not exist yet. Returns true if created. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (!database) throw new Error('DATABASE_URL names no database (expected …/<database> at the end).');
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
    return true;
  } catch (error) {
    // Two processes may race to create it; the loser sees duplicate_database (42P04).
    if ((error as { code?: string }).code === '42P04') return false;
    throw error;
  } finally {
    await client.end();
  }
}

/** Applies every migration not yet recorded in `_prisma_migrations`. Returns the names applied. */
export async function applyMigrations(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const migrations = await listMigrations(dir);
  return withSchemaEngine(databaseUrl, async (engine) => {
    const result = await engine.applyMigrations({
      migrationsList: {
        baseDir: dir,
        lockfile: { path: LOCKFILE, content: LOCKFILE_CONTENT },
        shadowDbInitScript: '',
        migrationDirectories: migrations.map((m) => ({
          path: m.name,
          migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
        })),
      },
      filters: NO_FILTERS,
    });
    return result.appliedMigrationNames;
  });
}
