// The catalog machinery: defining entries, assembling the catalog from the model sets the plugins
// declare next to the code that runs them (packages/plugins/src/*/models.ts), the VISAGE_MODEL_CATALOG
// overrides, and lookups. No model is declared here (docs/architecture.md §7.1).
import { readFileSync } from 'node:fs';
import { UnknownModelError } from './errors.ts';
import {
  type ModelCatalog,
  type ModelEntry,
  type ModelLicence,
  type ModelPlugin,
  type ModelVariant,
  PROVIDERS,
  type Preprocess,
  parseCatalog,
} from './schema.ts';

export type { ModelEntry } from './schema.ts';

/** What a model set declares for one model; `defineModel` fills in the rest. */
export interface ModelSpec {
  id: string;
  title: string;
  plugin: ModelPlugin;
  licence: ModelLicence;
  /** The default variant first. */
  variants: [ModelVariant, ...ModelVariant[]];
  /** Memory once loaded; default: the file size. */
  residentBytes?: number | null;
  /** Default: every provider. */
  providers?: ModelEntry['providers'];
  /** Default: 'download'. */
  availability?: ModelEntry['availability'];
  note?: string;
  preprocess?: Preprocess;
}

/** An entry whose `preprocess` is there when its spec has one, so the code reading it needs no check. */
export type DefinedModel<S extends ModelSpec> = S extends { preprocess: Preprocess }
  ? ModelEntry & { preprocess: Preprocess }
  : ModelEntry;

/**
 * A catalog entry from its spec: the entry-level file/urls/sha256/bytes repeat the default variant.
 * Not validated here: the assembled catalog is (`assembleCatalog`).
 */
export function defineModel<S extends ModelSpec>(spec: S): DefinedModel<S> {
  const [first] = spec.variants;
  const entry: ModelEntry = {
    id: spec.id,
    title: spec.title,
    plugin: spec.plugin,
    file: first.file,
    urls: first.urls,
    sha256: first.sha256,
    bytes: first.bytes,
    residentBytes: spec.residentBytes ?? null,
    licence: spec.licence,
    variants: spec.variants,
    providers: spec.providers ?? [...PROVIDERS],
    availability: spec.availability ?? 'download',
    ...(spec.note ? { note: spec.note } : {}),
    ...(spec.preprocess ? { preprocess: spec.preprocess } : {}),
  };
  return entry as DefinedModel<S>;
}

/** One fp32 variant, the common case. `sha256`/`bytes` are null when no source publishes them. */
export function fp32Variant(
  file: string,
  urls: string[],
  sha256: string | null,
  bytes: number | null,
): ModelVariant {
  return { precision: 'fp32', file, urls, sha256, bytes };
}

/**
 * The catalog from every registered model set (the shared face models, each plugin's), validated as
 * a whole: a bad field or an id declared twice fails here, naming the entry.
 */
export function assembleCatalog(sets: readonly (readonly ModelEntry[])[]): ModelCatalog {
  return parseCatalog(sets.flat());
}

/**
 * `catalog` plus the entries of a JSON file (VISAGE_MODEL_CATALOG): a private mirror, another export
 * of a model, or test fixtures. An entry with an id already in `catalog` replaces it; others are
 * added. The file is an array of entries in the catalog's own shape, validated like the built-in ones.
 */
export function loadModelCatalog(catalog: ModelCatalog, file?: string): ModelCatalog {
  if (!file) return catalog;
  let extra: unknown;
  try {
    extra = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the model catalog ${file}: ${(error as Error).message}`, { cause: error });
  }
  const added = parseCatalog(extra, `model catalog ${file}`);
  const replaced = new Set(added.map((e) => e.id));
  return parseCatalog([...catalog.filter((e) => !replaced.has(e.id)), ...added]);
}

/** The catalog entry for `id`; an unknown id throws an error that suggests the closest ids. */
export function findModel(id: string, catalog: ModelCatalog): ModelEntry {
  const entry = catalog.find((e) => e.id === id);
  if (!entry)
    throw new UnknownModelError(
      id,
      catalog.map((e) => e.id),
    );
  return entry;
}

/** The variant of `entry` for `precision` (default: the entry's first variant). */
export function findVariant(entry: ModelEntry, precision?: ModelVariant['precision']): ModelVariant {
  if (precision === undefined) return entry.variants[0] as ModelVariant;
  const variant = entry.variants.find((v) => v.precision === precision);
  if (!variant) {
    const have = entry.variants.map((v) => v.precision).join(', ');
    throw new Error(`Model "${entry.id}" has no ${precision} variant (it has: ${have})`);
  }
  return variant;
}
