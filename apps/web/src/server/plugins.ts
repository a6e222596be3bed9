// What the studio needs to know of each enabled plugin to draw its form: the input schema as JSON
// Schema (the input side, so defaulted fields are optional) and which fields hold asset ids.
import { pluginDescriptors } from '@visage/plugins/schemas';
import { z } from 'zod';
import type { JsonSchema } from '@/lib/form-fields';
import { config } from './config.ts';
import { services } from './services.ts';

export interface PluginForm {
  id: string;
  title: string;
  description: string;
  schema: JsonSchema;
  assetFields: string[];
}

// The descriptors never change while the server runs: convert each one once, not per request.
const forms = new Map<string, PluginForm>();

function formOf(d: (typeof pluginDescriptors)[number]): PluginForm {
  let form = forms.get(d.id);
  if (!form) {
    form = {
      id: d.id,
      title: d.title,
      description: d.description,
      // Through JSON: zod's output is not a plain object, and client components take only those.
      schema: JSON.parse(JSON.stringify(z.toJSONSchema(d.input, { io: 'input' }))) as JsonSchema,
      assetFields: [...d.assetFields],
    };
    forms.set(d.id, form);
  }
  return form;
}

export async function enabledPlugins(): Promise<PluginForm[]> {
  const { plugins } = await services();
  return pluginDescriptors.filter((d) => plugins.includes(d.id)).map(formOf);
}

/** The server's upload limits, so the browser can refuse a too-large file before sending it. */
export function uploadLimits() {
  const { maxImageBytes, maxVideoBytes } = config();
  return { maxImageBytes, maxVideoBytes };
}
