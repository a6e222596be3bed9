// The size of a model file whose catalog entry gives none (no published size), recorded when the
// file is downloaded or imported: `<file>.size` beside it, holding the byte count. The store's
// status checks a file against it as against a catalog size, so a truncated file shows as damaged.
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';

export const SIZE_SUFFIX = '.size';

/** Records `bytes` for `file` (written to a temporary file first, so a reader never sees half). */
export async function recordSize(file: string, bytes: number): Promise<void> {
  const temp = `${file}${SIZE_SUFFIX}.${process.pid}.tmp`;
  await writeFile(temp, `${bytes}\n`);
  await rename(temp, `${file}${SIZE_SUFFIX}`);
}

function parse(text: string, file: string): number {
  const bytes = Number(text.trim());
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new Error(`${file}${SIZE_SUFFIX} does not hold a byte count ("${text.trim()}"): delete it`);
  }
  return bytes;
}

const isMissing = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/** The size recorded for `file`, or null when none was. */
export async function recordedSize(file: string): Promise<number | null> {
  try {
    return parse(await readFile(`${file}${SIZE_SUFFIX}`, 'utf8'), file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** {@link recordedSize}, synchronously (the worker's check before a job starts). */
export function recordedSizeSync(file: string): number | null {
  try {
    return parse(readFileSync(`${file}${SIZE_SUFFIX}`, 'utf8'), file);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}
