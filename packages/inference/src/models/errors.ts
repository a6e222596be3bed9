// Errors users see from the model store, the downloader and the CLI. Each message says what went
// wrong and what to run next, on one line, so the CLI and job records can show it as is.
import type { ModelEntry } from './schema.ts';
import { closestIds } from './suggest.ts';

const command = 'pnpm visage models';

export class UnknownModelError extends Error {
  override name = 'UnknownModelError';
  readonly suggestions: string[];

  constructor(
    readonly id: string,
    knownIds: readonly string[],
  ) {
    const suggestions = closestIds(id, knownIds);
    super(
      suggestions.length
        ? `Unknown model "${id}". Did you mean: ${suggestions.join(', ')}? (${command} list shows every model)`
        : `Unknown model "${id}". Known models: ${knownIds.join(', ')}`,
    );
    this.suggestions = suggestions;
  }
}

export interface MissingModel {
  id: string;
  /** 'missing': no file; 'corrupt': a file whose size is wrong; 'export-required': no public download. */
  state: 'missing' | 'corrupt' | 'export-required';
  /** Why a file is corrupt, e.g. "size 10 B, expected 20 B". */
  reason?: string;
  /** A damaged export-only model is imported again, not pulled. */
  availability?: ModelEntry['availability'];
  /** The model keeps its weights in external data files, so it is imported as a folder. */
  externalData?: boolean;
}

/** A job or a caller needs models that are not (properly) installed; names all of them at once. */
export class ModelMissingError extends Error {
  override name = 'ModelMissingError';

  constructor(readonly models: readonly MissingModel[]) {
    super(missingMessage(models));
  }
}

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `"${id}"`).join(', ');
}

/** What `models import` takes for a model: its folder when it has data files beside the .onnx. */
const importArg = (m: Pick<MissingModel, 'externalData'>) => (m.externalData ? '<folder>' : '<file>');

function missingMessage(models: readonly MissingModel[]): string {
  const parts: string[] = [];
  const pull = models.filter((m) => m.state === 'missing');
  const [first] = pull;
  if (pull.length === 1 && first) {
    parts.push(
      `Model "${first.id}" is not installed. Get it with: ${command} pull ${first.id} ` +
        `(or import ${first.externalData ? 'a folder' : 'a file'} you have: ${command} import ${first.id} ${importArg(first)})`,
    );
  } else if (pull.length > 1) {
    parts.push(
      `Models ${quoted(pull.map((m) => m.id))} are not installed. Get them with: ${command} pull ${pull.map((m) => m.id).join(' ')} ` +
        `(or import files you have: ${command} import <id> <file>)`,
    );
  }
  for (const m of models.filter((m) => m.state === 'corrupt')) {
    const reason = m.reason ?? 'wrong size';
    parts.push(
      m.availability === 'export-required'
        ? `Model "${m.id}" is damaged (${reason}). Import a good copy with: ${command} import ${m.id} <file or folder>`
        : `Model "${m.id}" is damaged (${reason}). Get it again with: ${command} pull ${m.id} ` +
            `(or import a good copy: ${command} import ${m.id} ${importArg(m)})`,
    );
  }
  const exported = models.filter((m) => m.state === 'export-required').map((m) => m.id);
  if (exported.length) {
    parts.push(
      `${exported.length === 1 ? 'Model' : 'Models'} ${quoted(exported)} ${exported.length === 1 ? 'is' : 'are'} not installed ` +
        `and ${exported.length === 1 ? 'has' : 'have'} no public download: export the ONNX file and import it with: ` +
        `${command} import <id> <file or folder>`,
    );
  }
  return parts.join('. ');
}

/** The downloaded or imported bytes are not the file the catalog describes. */
export class ChecksumError extends Error {
  override name = 'ChecksumError';

  constructor(
    readonly file: string,
    readonly source: string,
    readonly expected: string,
    readonly actual: string,
    what = 'sha256',
  ) {
    super(`${what} mismatch for ${file} from ${source}: expected ${expected}, got ${actual}`);
  }
}

/** An HTTP status that is not a success. 5xx, 408 and 429 may be retried; the rest may not. */
export class HttpError extends Error {
  override name = 'HttpError';
  readonly retryable: boolean;

  constructor(
    readonly url: string,
    readonly status: number,
    statusText = '',
  ) {
    super(`GET ${url} failed: HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
    this.retryable = status >= 500 || status === 408 || status === 429;
  }
}

/**
 * A model's `.onnx` refers to an external data file that is not there whole (docs/models/wan.md
 * §9.4): found before ONNX Runtime is asked, so the message names the file and how to fix it.
 */
export class ExternalDataError extends Error {
  override name = 'ExternalDataError';

  constructor(
    readonly id: string,
    readonly modelPath: string,
    /** The data file as the graph records it. */
    readonly location: string,
    /** What is wrong with it, e.g. "is missing". */
    readonly problem: string,
  ) {
    super(
      `Model "${id}" cannot be loaded: its data file ${location} ${problem} ` +
        `(ONNX Runtime reads it from the folder of ${modelPath}). Get the model again with: ${command} pull ${id} ` +
        `(or, for a model you exported, import its folder: ${command} import ${id} <folder>)`,
    );
  }
}
