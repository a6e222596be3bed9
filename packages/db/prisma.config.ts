import { defineConfig } from 'prisma/config';

// Only `prisma generate` uses this file; migrations go through scripts/migrate.ts (the native
// schema engine the CLI wants cannot be downloaded offline).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/visage' },
});
