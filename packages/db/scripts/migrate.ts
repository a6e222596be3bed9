// `pnpm db:migrate`            apply pending migrations to DATABASE_URL (creates the database if needed)
// `pnpm db:migration <name>`   write a new migration from the changes to prisma/schema.prisma
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyMigrations, createMigration } from '../src/migrations/index.ts';

// The repository's .env (written by scripts/setup.sh); real environment variables win.
const envFile = fileURLToPath(new URL('../../../.env', import.meta.url));
if (existsSync(envFile)) process.loadEnvFile(envFile);
const [command, name] = process.argv.slice(2);

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (see .env.example; `npm run setup` writes .env).');
  if (command === 'deploy') {
    const applied = await applyMigrations(url);
    console.log(
      applied.length
        ? `Applied ${applied.length} migration(s): ${applied.join(', ')}`
        : 'Database is up to date.',
    );
  } else if (command === 'create') {
    if (!name) throw new Error('Usage: pnpm db:migration <name>   (e.g. pnpm db:migration add_asset_tags)');
    const created = await createMigration(name, url);
    console.log(
      created ? `Wrote migrations/${created.name}/migration.sql` : 'Schema unchanged: no migration written.',
    );
  } else {
    throw new Error(`Unknown command "${command ?? ''}". Use "deploy" or "create <name>".`);
  }
}

/** What to do about the connection errors people meet on a fresh PostgreSQL install. */
function hint(error: unknown): string {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === '28P01' || code === '28000') {
    return (
      '\nThe user or password in DATABASE_URL is not accepted. On a Debian/Ubuntu server, set the password with:\n' +
      '  sudo -u postgres psql -c "ALTER USER postgres PASSWORD \'postgres\'"\nor change DATABASE_URL in .env.'
    );
  }
  if (code === 'ECONNREFUSED')
    return '\nPostgreSQL is not running there: start it (npm start does) or fix DATABASE_URL.';
  return '';
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `Migration failed: ${error instanceof Error ? error.message : String(error)}${hint(error)}`,
    );
    process.exit(1);
  },
);
