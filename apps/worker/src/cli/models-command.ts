// `visage models …`: list, pull, import, verify, path and remove models in the models directory.
// Returns the exit code (0 ok, 1 error, 2 usage) instead of exiting, so tests can run it in-process.
import { parseArgs } from 'node:util';
import {
  DownloadCancelledError,
  downloadModel,
  findVariant,
  type ModelCatalog,
  type ModelEntry,
  type ModelStatus,
  ModelStore,
  PRECISIONS,
  type Precision,
} from '@visage/inference/models';
import { formatBytes, type ProgressSink, progressLine, table } from './format.ts';

export const USAGE = `Usage: pnpm visage models <command>

  list                                   every model, its size, whether it is installed, its licence
  pull <id>... [--precision fp32|fp16]   download (resumes an interrupted download), verify, install
  import <id> <file> [--precision …]     install a file you already have (checked against the catalog);
                                         <file> may be a folder: the .onnx and its external data files;
                                         without --precision, a file named like a variant is that one
  verify [id]                            re-hash installed files against the catalog's sha256
  path <id> [--precision …]              print the installed file's path
  remove <id>                            delete a model's files

Models live in VISAGE_MODELS_DIR (default ./.visage/models, relative to the repository root).`;

export interface CliIo {
  stdout: ProgressSink;
  stderr: ProgressSink;
  modelsDir: string;
  catalog: ModelCatalog;
  /** Cancels a pull (Ctrl-C); the partial download is kept for the next pull. */
  signal?: AbortSignal;
  /** Download tuning, for tests. */
  download?: { retries?: number; backoffMs?: number };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

type Handler = (args: { positionals: string[]; precision?: Precision }, ctx: Context) => Promise<number>;

interface Context {
  io: CliIo;
  store: ModelStore;
  out(line: string): void;
  err(line: string): void;
}

/** Runs `models <command> …` (argv without the leading "models"); returns the exit code. */
export async function runModelsCommand(argv: string[], io: CliIo): Promise<number> {
  const parsed = parse(argv);
  const [command, ...positionals] = parsed.positionals;
  const handler = command ? HANDLERS[command] : undefined;
  if (!handler) {
    throw new UsageError(command ? `Unknown command "models ${command}"` : 'No command given');
  }
  const store = new ModelStore(io.modelsDir, io.catalog);
  const ctx: Context = {
    io,
    store,
    out: (line) => io.stdout.write(`${line}\n`),
    err: (line) => io.stderr.write(`${line}\n`),
  };
  return handler({ positionals, precision: parsed.precision }, ctx);
}

function parse(argv: string[]): { positionals: string[]; precision?: Precision } {
  let values: { precision?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { precision: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { precision } = values;
  if (precision !== undefined && !(PRECISIONS as readonly string[]).includes(precision)) {
    throw new UsageError(`--precision must be one of ${PRECISIONS.join(', ')} (got "${precision}")`);
  }
  return { positionals, precision: precision as Precision | undefined };
}

function expectArgs(positionals: string[], min: number, max: number, shape: string): void {
  if (positionals.length < min || positionals.length > max) throw new UsageError(`Expected: models ${shape}`);
}

function licenceLine(entry: ModelEntry): string {
  const { licence } = entry;
  const use = licence.commercialUse ? 'commercial use allowed' : 'NON-COMMERCIAL use only';
  return `${entry.id}: licence ${licence.name}; ${use} (${licence.url})`;
}

function installedCell(status: ModelStatus): string {
  const installed = status.variants.filter((v) => v.state === 'installed').map((v) => v.precision);
  if (installed.length) {
    return status.entry.availability === 'bundled' ? 'yes (bundled)' : `yes (${installed.join(', ')})`;
  }
  if (status.variants.some((v) => v.state === 'corrupt')) return 'DAMAGED';
  const part = status.variants.find((v) => v.partBytes > 0);
  if (part) return `partial (${formatBytes(part.partBytes)})`;
  return status.entry.availability === 'export-required' ? 'no (export)' : 'no';
}

const HANDLERS: Record<string, Handler> = {
  async list({ positionals }, { store, out }) {
    expectArgs(positionals, 0, 0, 'list');
    const statuses = await store.list();
    const rows = statuses.map((status) => {
      const { entry } = status;
      const licence = entry.licence.commercialUse
        ? entry.licence.name
        : `NON-COMMERCIAL: ${entry.licence.name}`;
      return [entry.id, entry.plugin, formatBytes(entry.bytes), installedCell(status), licence];
    });
    out(`Models in ${store.dir}`);
    out(table(['ID', 'PLUGIN', 'SIZE', 'INSTALLED', 'LICENCE'], rows));
    const installed = statuses.filter((s) => s.installed).length;
    out(
      `${installed} of ${statuses.length} installed. Get one with: pnpm visage models pull <id>. ` +
        'Models marked NON-COMMERCIAL may not be used commercially; "no (export)" models have no public ' +
        'ONNX file: export one and import it.',
    );
    return 0;
  },

  async pull({ positionals, precision }, ctx) {
    if (positionals.length === 0)
      throw new UsageError('Expected: models pull <id>... [--precision fp32|fp16]');
    const entries = positionals.map((id) => ctx.store.entry(id)); // unknown ids fail before any download
    let failed = 0;
    for (const entry of entries) {
      try {
        await pullOne(entry, precision, ctx);
      } catch (error) {
        if (error instanceof DownloadCancelledError) throw error;
        if (entries.length === 1) throw error;
        failed++;
        ctx.err(`visage: ${oneLine(error)}`);
      }
    }
    return failed ? 1 : 0;
  },

  async import({ positionals, precision }, { store, out }) {
    expectArgs(positionals, 2, 2, 'import <id> <file or folder> [--precision fp32|fp16]');
    const [id = '', file = ''] = positionals;
    const entry = store.entry(id);
    out(licenceLine(entry));
    const result = await store.import(id, file, precision);
    const check = (f: { verified: boolean; sha256: string }) =>
      f.verified ? 'sha256 verified' : `no checksum known; sha256 ${f.sha256}`;
    // The data files first, as they were put in place; the .onnx, which completes the model, last.
    for (const data of result.dataFiles) {
      out(
        `${data.moved ? 'Moved' : 'Copied'} data file ${data.path} (${formatBytes(data.bytes)}, ${check(data)})`,
      );
    }
    out(
      `${result.moved ? 'Moved' : 'Copied'} ${file} to ${result.path} (${entry.id} ${result.precision}, ${check(result)})`,
    );
    return 0;
  },

  async verify({ positionals }, { store, out }) {
    expectArgs(positionals, 0, 1, 'verify [id]');
    const [id] = positionals;
    const results = await store.verify(id);
    if (id !== undefined && results.every((r) => r.state === 'missing')) {
      throw store.missingModels([id]) ?? new Error(`Model "${id}" is not installed`);
    }
    for (const result of results) out(result.message);
    const bad = results.filter((r) => r.state === 'mismatch' || r.state === 'corrupt');
    if (results.length === 0) out('No models installed.');
    if (bad.length) {
      out(
        `${bad.length} damaged: get ${bad.length === 1 ? 'it' : 'them'} again with: ` +
          `pnpm visage models pull ${[...new Set(bad.map((r) => r.id))].join(' ')}`,
      );
      return 1;
    }
    return 0;
  },

  async path({ positionals, precision }, { store, out }) {
    expectArgs(positionals, 1, 1, 'path <id> [--precision fp32|fp16]');
    out((await store.locate(positionals[0] ?? '', precision)).path);
    return 0;
  },

  async remove({ positionals }, { store, out }) {
    expectArgs(positionals, 1, 1, 'remove <id>');
    const id = positionals[0] ?? '';
    out((await store.remove(id)) ? `Removed ${store.dirFor(id)}` : `${id} was not installed`);
    return 0;
  },
};

async function pullOne(entry: ModelEntry, wanted: Precision | undefined, ctx: Context): Promise<void> {
  const { store, io, out, err } = ctx;
  if (entry.availability === 'export-required') {
    throw new Error(`Model "${entry.id}" has no public download. ${entry.note ?? ''}`.trim());
  }
  if (entry.availability === 'bundled') {
    out(`${entry.id} ships with Visage; nothing to download`);
    return;
  }
  let precision = wanted;
  if (wanted && !entry.variants.some((v) => v.precision === wanted)) {
    precision = undefined;
    err(`${entry.id} has no ${wanted} variant; pulling ${entry.variants[0]?.precision}`);
  }
  const variant = findVariant(entry, precision);
  const label = `${entry.id} (${variant.precision})`;
  const status = await store.status(entry.id);
  if (status.variants.find((v) => v.precision === variant.precision)?.state === 'installed') {
    out(
      `${label} is already installed at ${store.pathFor(entry.id, variant.precision)} (check it with: pnpm visage models verify ${entry.id})`,
    );
    return;
  }
  out(licenceLine(entry));
  const progress = progressLine(label, io.stderr);
  try {
    const result = await downloadModel(variant, store.dirFor(entry.id), {
      signal: io.signal,
      ...io.download,
      onProgress: (received, total) => progress.update(received, total),
      onNotice: (message) => {
        progress.end();
        err(`${label}: ${message}`);
      },
    });
    progress.end();
    const check = variant.sha256 ? 'sha256 verified' : `no checksum known; sha256 ${result.sha256}`;
    const resumed = result.resumedFrom ? `, resumed at ${formatBytes(result.resumedFrom)}` : '';
    out(`Installed ${label} at ${result.path} (${formatBytes(result.bytes)}, ${check}${resumed})`);
  } catch (error) {
    progress.end();
    throw error;
  }
}

/** Error messages on one line, without the stack. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}
