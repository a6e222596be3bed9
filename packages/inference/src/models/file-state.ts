// The install state of a variant's files from their sizes alone (fast enough for every status call
// and the worker's check before a job): the `.onnx`, and for a model with external data each data
// file beside it (docs/models/wan.md §9.4). The variant is installed only when every file is.
import { type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ModelVariant } from './schema.ts';
import { recordedSize, recordedSizeSync } from './size-record.ts';

export type InstallState = 'installed' | 'missing' | 'corrupt';

/** What is on disk for one file: the file, the size recorded for it, its unfinished download. */
export interface FileFacts {
  stats: Stats | null;
  /** The size recorded at download or import when the catalog gives none; null otherwise. */
  recorded: number | null;
  partBytes: number;
}

export interface FileJudgement {
  state: InstallState;
  /** Why the file is corrupt, e.g. "size 10 B, expected 20 B". */
  reason?: string;
  bytes: number | null;
}

/** One external data file of a variant. */
export interface DataFileStatus extends FileJudgement {
  /** Its name, as the graph records it. */
  file: string;
  path: string;
  /** Size of its unfinished download (0 when none). */
  partBytes: number;
}

export interface FilesJudgement {
  state: InstallState;
  reason?: string;
  /** Bytes of the `.onnx` and the data files present; null when the `.onnx` is missing. */
  bytes: number | null;
  /** Bytes a pull would resume from: `.part` files, and data files already complete while the `.onnx` is not there yet. */
  partBytes: number;
  externalData: DataFileStatus[];
}

/** Size check of one file against the catalog's size or, when it has none, the recorded one. */
export function judgeFile(catalogBytes: number | null, facts: FileFacts): FileJudgement {
  const { stats, recorded } = facts;
  if (!stats) return { state: 'missing', bytes: null };
  if (!stats.isFile()) return { state: 'corrupt', reason: 'not a regular file', bytes: null };
  if (stats.size === 0) return { state: 'corrupt', reason: 'empty file', bytes: 0 };
  const expected = catalogBytes ?? recorded;
  if (expected !== null && stats.size !== expected) {
    const source = catalogBytes === null ? 'when it was installed' : 'expected';
    return { state: 'corrupt', reason: `size ${stats.size} B, ${source} ${expected} B`, bytes: stats.size };
  }
  return { state: 'installed', bytes: stats.size };
}

/**
 * The variant's state from its files: corrupt when any file is (the reason names a data file), missing
 * when the `.onnx` is (an unfinished pull), corrupt when the `.onnx` is there without a data file.
 */
export function judgeFiles(
  variant: ModelVariant,
  dir: string,
  model: FileFacts,
  data: readonly FileFacts[],
): FilesJudgement {
  const onnx = judgeFile(variant.bytes, model);
  const externalData = (variant.externalData ?? []).map((spec, i): DataFileStatus => {
    const facts = data[i] as FileFacts;
    return {
      file: spec.file,
      path: path.join(dir, spec.file),
      ...judgeFile(spec.bytes, facts),
      partBytes: facts.partBytes,
    };
  });
  const parts = model.partBytes + externalData.reduce((n, d) => n + d.partBytes, 0);
  const present = externalData.reduce((n, d) => n + (d.bytes ?? 0), 0);
  const base = { externalData, bytes: onnx.bytes === null ? null : onnx.bytes + present };
  if (onnx.state === 'corrupt') return { ...base, state: 'corrupt', reason: onnx.reason, partBytes: parts };
  const broken = externalData.find((d) => d.state === 'corrupt');
  if (broken) {
    return {
      ...base,
      state: 'corrupt',
      reason: `data file ${broken.file}: ${broken.reason}`,
      partBytes: parts,
    };
  }
  if (onnx.state === 'missing') {
    const complete = externalData.reduce((n, d) => n + (d.state === 'installed' ? (d.bytes ?? 0) : 0), 0);
    return { ...base, state: 'missing', partBytes: parts + complete };
  }
  const absent = externalData.find((d) => d.state === 'missing');
  if (absent) {
    return { ...base, state: 'corrupt', reason: `data file ${absent.file} is missing`, partBytes: parts };
  }
  return { ...base, state: 'installed', partBytes: parts };
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await stat(file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

export function statOrNullSync(file: string): Stats | null {
  try {
    return statSync(file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** The facts of `file`; `recordable`: the catalog gives no size and the file is not bundled. */
export async function factsOf(file: string, recordable: boolean): Promise<FileFacts> {
  const [stats, part, recorded] = await Promise.all([
    statOrNull(file),
    statOrNull(`${file}.part`),
    recordable ? recordedSize(file) : null,
  ]);
  return { stats, recorded, partBytes: part?.size ?? 0 };
}

/** {@link factsOf}, synchronously and without the `.part` (the worker's check before a job). */
export function factsOfSync(file: string, recordable: boolean): FileFacts {
  return { stats: statOrNullSync(file), recorded: recordable ? recordedSizeSync(file) : null, partBytes: 0 };
}
