// Loads Prisma's schema engine compiled to WebAssembly and binds it to PostgreSQL through
// @prisma/adapter-pg. The Prisma CLI would download a native engine instead, which is impossible
// offline (docs/toolchain.md §6.3), so migrations are driven from here.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

export type SchemaEngine = bg.SchemaEngine;

// Node has WebAssembly; TypeScript only types it in the DOM lib, which server packages leave out.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }>;
};

const require = createRequire(import.meta.url);
let wasmReady: Promise<void> | undefined;

/** Instantiates the wasm module once per process (its JS glue keeps the instance in module state). */
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasmPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg').replace(/\.js$/, '.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': bg,
    });
    const exports = instance.exports as Parameters<typeof bg.__wbg_set_wasm>[0] & {
      __wbindgen_start(): void;
    };
    bg.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return wasmReady;
}

/**
 * Runs `use` with a schema engine connected to `databaseUrl`, then frees the engine and closes its
 * connection. The connection must be closed: the engine holds Prisma's migration advisory lock on
 * it, and a second engine would otherwise wait for that lock.
 */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, application_name: 'visage-migrate' });
  try {
    const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
    const engine = await bg.SchemaEngine.new({ datamodels: undefined }, () => undefined, adapter);
    try {
      return await use(engine);
    } finally {
      engine.free();
    }
  } finally {
    await pool.end();
  }
}
