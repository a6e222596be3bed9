// Entry point of `pnpm visage …` (tsx src/cli/main.ts in apps/worker, where the plugins' model sets
// are visible). Reads VISAGE_MODELS_DIR from the environment, falling back to the repository's .env
// (real variables win), and resolves a relative directory from the repository root, like the worker
// does, whatever directory it runs in.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelCatalog } from '@visage/plugins/catalog';
import { oneLine } from './models-command.ts';
import { runCli } from './run.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url)); // apps/worker/src/cli → root

function modelsDir(): string {
  const envFile = path.join(repoRoot, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile); // does not override variables already set
  return path.resolve(repoRoot, process.env.VISAGE_MODELS_DIR || './.visage/models');
}

/** The registered models plus VISAGE_MODEL_CATALOG's entries (after modelsDir() loaded .env). */
function catalog() {
  const file = process.env.VISAGE_MODEL_CATALOG;
  return modelCatalog(file ? path.resolve(repoRoot, file) : undefined);
}

// Ctrl-C cancels a download and keeps its partial file; a second Ctrl-C quits at once.
const controller = new AbortController();
process.once('SIGINT', () => {
  controller.abort(new Error('interrupted'));
  process.once('SIGINT', () => process.exit(130));
});

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    modelsDir: modelsDir(),
    catalog: catalog(),
    signal: controller.signal,
  });
} catch (error) {
  process.stderr.write(`visage: ${oneLine(error)}\n`);
  process.exitCode = 1;
}
