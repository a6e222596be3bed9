// What the API may know of a plugin: its id, input schema and which input fields hold asset ids.
// Free of runtime code (no models, no sharp), so packages/api can import it.
import type { z } from 'zod';

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
