import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.ts';

export type Db = PrismaClient;

export interface DbOptions {
  /** postgresql:// connection string (DATABASE_URL). */
  url: string;
  /** Shown in pg_stat_activity, so a process's connections can be told apart (and checked closed). */
  applicationName?: string;
  /** Pool size. */
  maxConnections?: number;
}

/** A Prisma client over node-postgres (Prisma 7's driver-adapter runtime; no native query engine). */
export function createDb({ url, applicationName = 'visage', maxConnections = 10 }: DbOptions): Db {
  const adapter = new PrismaPg({
    connectionString: url,
    application_name: applicationName,
    max: maxConnections,
  });
  // Prisma's defaults (wait 2 s for a connection, 5 s per interactive transaction) fail sign-ups and
  // output commits on a loaded machine (seen as better-auth's FAILED_TO_CREATE_USER under a 2-core CI
  // load); a transaction is still bounded, just with room for a busy database.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000, timeout: 30_000 } });
}

/** Round-trips a trivial query; throws when the database cannot be reached. */
export async function pingDb(db: Db): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}

/**
 * Connects once with node-postgres (whose errors are plainer than Prisma's) and throws an error
 * that says where the database was expected and what to do about it.
 */
export async function assertDbReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const where = new URL(url);
    const missingDb = (error as { code?: string }).code === '3D000';
    throw new Error(
      `Cannot reach PostgreSQL at ${where.host}${where.pathname} (${(error as Error).message}). ` +
        (missingDb ? 'Create it with `pnpm db:migrate`.' : 'Start it (npm start does) or set DATABASE_URL.'),
      { cause: error },
    );
  } finally {
    await client.end();
  }
}
