// What each model command does against this worker's own models folder, and how its failure is
// worded for the admin who sent it.
import type { ModelCommand, ModelCommandErrorCode, ModelCommandResults } from '@visage/db/models';
import {
  ChecksumError,
  findVariant,
  type ModelEntry,
  type ModelStore,
  type ModelVariant,
  type Precision,
  UnknownModelError,
} from '@visage/inference/models';
import type { ModelPulls } from './pulls.ts';

/** A command this worker will not carry out as asked; its message says why. */
export class CommandRefused extends Error {
  override name = 'CommandRefused';
}

export interface CommandTarget {
  store: ModelStore;
  pulls: ModelPulls;
  /** Re-reads the folder and publishes this worker's model state. */
  refresh(): Promise<void>;
}

function variantOf(entry: ModelEntry, precision: string | undefined): ModelVariant {
  if (precision !== undefined && !entry.variants.some((v) => v.precision === precision)) {
    const have = entry.variants.map((v) => v.precision).join(', ');
    throw new CommandRefused(`Model "${entry.id}" has no ${precision} variant (it has: ${have})`);
  }
  return findVariant(entry, precision as Precision | undefined);
}

type Results = { [K in ModelCommand['kind']]: ModelCommandResults[K] };

export async function executeModelCommand<C extends ModelCommand>(
  command: C,
  { store, pulls, refresh }: CommandTarget,
): Promise<Results[C['kind']]> {
  const run: { [K in ModelCommand['kind']]: (c: Extract<ModelCommand, { kind: K }>) => Promise<Results[K]> } =
    {
      async pull({ id, precision }) {
        const entry = store.entry(id);
        if (entry.availability !== 'download') {
          throw new CommandRefused(
            `${entry.id} has no public download: ${entry.note ?? 'export the ONNX file and import it'}`,
          );
        }
        const started = pulls.start(entry.id, variantOf(entry, precision));
        await refresh();
        return started;
      },
      async cancelPull({ id }) {
        return { cancelled: pulls.cancel(id) };
      },
      async import({ id, path, precision }) {
        const variant = variantOf(store.entry(id), precision);
        const result = await store.import(id, path, variant.precision);
        await refresh();
        return result;
      },
      async verify({ id }) {
        return store.verify(id);
      },
    };
  return (run[command.kind] as (c: C) => Promise<Results[C['kind']]>)(command);
}

/** The admin's mistake (a wrong id, path or file) or the worker's failure. */
export function errorCode(error: unknown): ModelCommandErrorCode {
  if (
    error instanceof CommandRefused ||
    error instanceof UnknownModelError ||
    error instanceof ChecksumError ||
    (error as NodeJS.ErrnoException).code === 'ENOENT'
  ) {
    return 'BAD_REQUEST';
  }
  return 'INTERNAL';
}
