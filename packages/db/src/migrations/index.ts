export {
  applyMigrations,
  createMigration,
  diffSchemas,
  ensureDatabase,
  hasStatements,
  listMigrations,
  MIGRATIONS_DIR,
  SCHEMA_PATH,
} from './migrations.ts';
