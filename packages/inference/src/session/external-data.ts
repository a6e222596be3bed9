// Before ONNX Runtime loads a model file: every external data file its graph refers to must be in
// the model's folder and hold every byte the graph reads from it (docs/models/wan.md §9.4). ONNX
// Runtime would fail too, but with "External data path does not exist" or "out of bounds or can not
// be read in full" and no word on how to fix it; this names the file and the command.
import { stat } from 'node:fs/promises';
import { ExternalDataError } from '../models/errors.ts';
import {
  type ExternalDataRef,
  isInsideModelFolder,
  OnnxReadError,
  readExternalDataRefs,
  referencedDataFiles,
} from '../onnx/external-data.ts';

async function sizeOrNull(file: string): Promise<number | null> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats.size : null;
  } catch (error) {
    if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return null;
    throw error;
  }
}

/**
 * Throws {@link ExternalDataError} when a data file `modelPath` refers to is missing, truncated or
 * outside its folder. A model file that is missing or not readable as ONNX is left to ONNX Runtime.
 */
export async function checkExternalData(id: string, modelPath: string): Promise<void> {
  let refs: ExternalDataRef[];
  try {
    refs = await readExternalDataRefs(modelPath);
  } catch (error) {
    if (error instanceof OnnxReadError || (await sizeOrNull(modelPath)) === null) return;
    throw error;
  }
  for (const file of referencedDataFiles(modelPath, refs)) {
    if (!isInsideModelFolder(file.location)) {
      throw new ExternalDataError(id, modelPath, file.location, "is outside the model's folder");
    }
    const size = await sizeOrNull(file.path);
    if (size === null) throw new ExternalDataError(id, modelPath, file.location, 'is missing');
    if (size < file.minBytes) {
      throw new ExternalDataError(
        id,
        modelPath,
        file.location,
        `is truncated (${size} B; the graph reads up to byte ${file.minBytes})`,
      );
    }
  }
}
