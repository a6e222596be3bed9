// What the API may know of a plugin: its id, input schema, which input fields hold asset ids and
// which models its options call for.
// Free of runtime code (no models, no sharp), so packages/api can import it.
import type { z } from 'zod';

/**
 * Keys of a field's `.meta({...})` that the studio form reads (through JSON Schema):
 * - `accept: ('image' | 'video')[]` — asset fields: which media they take;
 * - `group: string` — the form section an option is shown in (sections keep the schema's order;
 *   'Inputs' puts it in the Inputs card beside the files, e.g. a prompt);
 * - `optionLabels: { value: label }` — how an enum's values are shown (default: humanized);
 * - `reroll: true` — an integer field with a button that draws a random value (a seed);
 * - `advanced: true` — folded away under "More options" in its section;
 * - `when: { field: [values…] }` — shown, checked and sent only while each named field has one of
 *   the values (otherwise the option keeps its default): `faceIndex` only with `faces: 'index'`.
 */
export interface PluginDescriptor<S extends z.ZodType = z.ZodType> {
  id: string;
  title: string;
  description: string;
  input: S;
  /**
   * Names of input fields whose value is an asset id or a list of them ("source", "target"…).
   * The API checks the caller may read each one and links them to the job as inputs.
   */
  assetFields: readonly string[];
  /** Catalog ids a job with this input cannot run without (the worker checks them before it starts). */
  models(input: z.output<S>): string[];
  /** Catalog ids used when installed ("auto" choices: a better detector, more landmarks); never required. */
  optionalModels?(input: z.output<S>): string[];
}

export interface ModelNeeds {
  required: string[];
  optional: string[];
}

/**
 * The models a job with these form options would use, for the studio to show before it runs.
 * `options` may be a form mid-edit: a missing or invalid option counts as its default.
 */
export function modelNeeds(descriptor: PluginDescriptor, options: Record<string, unknown>): ModelNeeds {
  const shape = (descriptor.input as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  const input: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(shape)) {
    if (descriptor.assetFields.includes(name)) continue;
    const parsed = field.safeParse(options[name]);
    const value = parsed.success ? parsed : field.safeParse(undefined);
    if (value.success) input[name] = value.data;
  }
  const required = descriptor.models(input);
  const optional = (descriptor.optionalModels?.(input) ?? []).filter((id) => !required.includes(id));
  return { required, optional };
}

/** Asset ids an input refers to, by field name. */
export function referencedAssets(
  descriptor: PluginDescriptor,
  input: unknown,
): { slot: string; ids: string[] }[] {
  const record = (input ?? {}) as Record<string, unknown>;
  return descriptor.assetFields
    .map((slot) => {
      const value = record[slot];
      const ids = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
      return { slot, ids: ids.filter((id): id is string => typeof id === 'string') };
    })
    .filter((ref) => ref.ids.length > 0);
}
