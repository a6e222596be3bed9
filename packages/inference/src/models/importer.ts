// `import`: puts files the user already has into the store after checking them. The source is an
// `.onnx` file or a folder holding one; a model with external data brings its data files, found
// beside the `.onnx` by the names the catalog lists and the names its graph records (read from the
// `.onnx`'s tensors, docs/models/wan.md §9.4), so an export whose data file is missing is refused
// even when the catalog does not know its data files. Everything is checked (sizes, the graph's
// offsets, sha256 when known) before anything moves; then the data files and last the `.onnx` are
// renamed into place (same filesystem) or copied through a temporary file, each appearing atomically.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  type ExternalDataRef,
  OnnxReadError,
  readExternalDataRefs,
  referencedDataFiles,
} from '../onnx/external-data.ts';
import { ChecksumError } from './errors.ts';
import { statOrNull } from './file-state.ts';
import { sha256File } from './hash.ts';
import type { ModelVariant, Precision } from './schema.ts';
import { recordSize } from './size-record.ts';

export interface ImportedFile {
  path: string;
  bytes: number;
  sha256: string;
  /** True when the catalog had a checksum and the file matched it. */
  verified: boolean;
  /** True when renamed into place (same filesystem), false when copied. */
  moved: boolean;
}

export interface ImportResult {
  /** The installed `.onnx`. */
  path: string;
  precision: Precision;
  /** True when the `.onnx` was renamed into place (same filesystem), false when copied. */
  moved: boolean;
  sha256: string;
  /** True when the catalog had a checksum and the `.onnx` matched it. */
  verified: boolean;
  /** The external data files installed beside it (empty for a model without). */
  dataFiles: ImportedFile[];
}

/** One file to check in: where it is, where it goes, what the catalog says of it. */
interface Incoming {
  source: string;
  target: string;
  bytes: number;
  catalogBytes: number | null;
  sha256: string | null;
}

/**
 * The graph's external data references; none for a file the walk cannot read as ONNX: the catalog's
 * checksum vouches for such a file when it has one, and ONNX Runtime says what is wrong when it loads.
 */
async function refsOrNone(model: string): Promise<ExternalDataRef[]> {
  try {
    return await readExternalDataRefs(model);
  } catch (error) {
    if (error instanceof OnnxReadError) return [];
    throw error;
  }
}

/** The `.onnx` to import from `source` (a file, or a folder holding it) and the folder of its data. */
async function findModelFile(source: string, variant: ModelVariant, label: string) {
  const stats = await statOrNull(source);
  if (stats?.isFile()) return { model: source, folder: path.dirname(source) };
  if (!stats?.isDirectory()) throw new Error(`Cannot import ${label}: ${source} is not a file or a folder`);
  const named = path.join(source, variant.file);
  if ((await statOrNull(named))?.isFile()) return { model: named, folder: source };
  const onnx = (await readdir(source, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.onnx'))
    .map((e) => e.name);
  if (onnx.length === 1) return { model: path.join(source, onnx[0] as string), folder: source };
  throw new Error(
    onnx.length === 0
      ? `Cannot import ${label}: ${source} holds no .onnx file`
      : `Cannot import ${label}: ${source} holds several .onnx files (${onnx.join(', ')}); ` +
          `name the one to import, or call it ${variant.file}`,
  );
}

/**
 * The data files to bring: those the catalog lists, then any other the graph refers to; each must be
 * beside the `.onnx` and hold every byte the graph reads from it.
 */
async function dataFilesOf(
  model: string,
  folder: string,
  variant: ModelVariant,
  targetDir: string,
  label: string,
): Promise<Incoming[]> {
  const listed = variant.externalData ?? [];
  const referenced = referencedDataFiles(model, await refsOrNone(model));
  const refuse = (why: string) => new Error(`Cannot import ${label}: ${why}`);
  for (const ref of referenced) {
    if (path.basename(ref.location) !== ref.location || ref.location === '..' || ref.location === '.') {
      throw refuse(
        `its graph reads weights from "${ref.location}", not from a file beside the .onnx; ` +
          'Visage keeps data files beside it: export again with the data in a file next to the .onnx',
      );
    }
    if (ref.location === variant.file) {
      throw refuse(
        `its graph reads weights from ${ref.location}, the name the .onnx itself is installed under`,
      );
    }
    if (listed.length > 0 && !listed.some((d) => d.file === ref.location)) {
      throw refuse(
        `its graph reads weights from ${ref.location}, which the catalog does not list (it lists ` +
          `${listed.map((d) => d.file).join(', ')}): this is not the export the catalog describes`,
      );
    }
  }
  const names = [...listed.map((d) => d.file), ...referenced.map((r) => r.location)];
  const incoming: Incoming[] = [];
  for (const name of new Set(names)) {
    const spec = listed.find((d) => d.file === name);
    const ref = referenced.find((r) => r.location === name);
    const source = path.join(folder, name);
    const what = `data file ${name}`;
    const stats = await statOrNull(source);
    if (!stats?.isFile()) {
      const why = ref ? 'its graph reads weights from it' : 'the catalog lists it';
      throw refuse(`${what} is missing from ${folder} (${why})`);
    }
    if (ref && stats.size < ref.minBytes) {
      throw refuse(
        `${what} is ${stats.size} bytes, but the graph reads up to byte ${ref.minBytes} of it (truncated?)`,
      );
    }
    const catalogBytes = spec?.bytes ?? null;
    const target = path.join(targetDir, name);
    incoming.push({ source, target, bytes: stats.size, catalogBytes, sha256: spec?.sha256 ?? null });
  }
  return incoming;
}

function checkSize(file: Incoming, label: string): void {
  if (file.catalogBytes !== null && file.bytes !== file.catalogBytes) {
    throw new Error(
      `Cannot import ${label}: ${file.source} is ${file.bytes} bytes, but ${path.basename(file.target)} is ` +
        `${file.catalogBytes} bytes`,
    );
  }
}

function checkSha(file: Incoming, actual: string): void {
  if (file.sha256 !== null && actual !== file.sha256) {
    throw new ChecksumError(path.basename(file.target), file.source, file.sha256, actual);
  }
}

/** Checks `source` (an `.onnx`, or a folder with it and its data files) and installs it as `variant`. */
export async function importModel(
  variant: ModelVariant,
  source: string,
  target: string,
  label: string,
): Promise<ImportResult> {
  const { model, folder } = await findModelFile(path.resolve(source), variant, label);
  const targetDir = path.dirname(target);
  const onnx: Incoming = {
    source: model,
    target,
    bytes: (await statOrNull(model))?.size ?? 0,
    catalogBytes: variant.bytes,
    sha256: variant.sha256,
  };
  const data = await dataFilesOf(model, folder, variant, targetDir, label);
  const files = [...data, onnx]; // the .onnx last: the model is complete when it appears
  for (const file of files) checkSize(file, label);
  const hashes: string[] = [];
  for (const file of files) {
    const actual = await sha256File(file.source);
    checkSha(file, actual);
    hashes.push(actual);
  }
  await mkdir(targetDir, { recursive: true });
  const placed: ImportedFile[] = [];
  for (const [i, file] of files.entries()) {
    const moved = await place(file, hashes[i] as string);
    placed.push({
      path: file.target,
      bytes: file.bytes,
      sha256: hashes[i] as string,
      verified: file.sha256 !== null,
      moved,
    });
  }
  const installed = placed.at(-1) as ImportedFile;
  return {
    path: installed.path,
    precision: variant.precision,
    moved: installed.moved,
    sha256: installed.sha256,
    verified: installed.verified,
    dataFiles: placed.slice(0, -1),
  };
}

/**
 * Puts one checked file in place: renamed within a filesystem, else copied (hashing the copy, so a
 * bad copy never appears) and renamed within the models directory. Without a catalog size, the size
 * of what was checked in is recorded: later status checks hold the file to it. Returns "moved".
 */
async function place(file: Incoming, sha256: string): Promise<boolean> {
  const recordIfUnknown = () =>
    file.catalogBytes === null ? recordSize(file.target, file.bytes) : undefined;
  if (file.source === file.target) {
    await recordIfUnknown();
    return true;
  }
  try {
    await recordIfUnknown();
    await rename(file.source, file.target);
    await rm(`${file.target}.part`, { force: true }); // an unfinished download is obsolete now
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  const temp = `${file.target}.import-${process.pid}-${Date.now()}`;
  try {
    const copied = await copyHashing(file.source, temp);
    if (copied !== sha256)
      throw new ChecksumError(path.basename(file.target), `the copy of ${file.source}`, sha256, copied);
    await rename(temp, file.target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await rm(`${file.target}.part`, { force: true });
  return false;
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
