// Errors users see from the model store, the downloader and the CLI. Each message says what went
// wrong and what to run next, on one line, so the CLI and job records can show it as is.
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

function missingMessage(models: readonly MissingModel[]): string {
  const parts: string[] = [];
  const pull = models.filter((m) => m.state === 'missing').map((m) => m.id);
  if (pull.length === 1) {
    parts.push(
      `Model "${pull[0]}" is not installed. Get it with: ${command} pull ${pull[0]} ` +
        `(or import a file you have: ${command} import ${pull[0]} <file>)`,
    );
  } else if (pull.length > 1) {
    parts.push(
      `Models ${quoted(pull)} are not installed. Get them with: ${command} pull ${pull.join(' ')} ` +
        `(or import files you have: ${command} import <id> <file>)`,
    );
  }
  for (const m of models.filter((m) => m.state === 'corrupt')) {
    parts.push(
      `Model "${m.id}" is damaged (${m.reason ?? 'wrong size'}). Get it again with: ${command} pull ${m.id} ` +
        `(or import a good copy: ${command} import ${m.id} <file>)`,
    );
  }
  const exported = models.filter((m) => m.state === 'export-required').map((m) => m.id);
  if (exported.length) {
    parts.push(
      `${exported.length === 1 ? 'Model' : 'Models'} ${quoted(exported)} ${exported.length === 1 ? 'is' : 'are'} not installed ` +
        `and ${exported.length === 1 ? 'has' : 'have'} no public download: export the ONNX file and import it with: ` +
        `${command} import <id> <file>`,
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
