// Plugin descriptors (id, zod input, asset fields) for the API: no runtime code.
import type { PluginDescriptor } from './descriptor.ts';
import { faceswapDescriptor } from './faceswap/schema.ts';
import { liveportraitDescriptor } from './liveportrait/schema.ts';
import { testPluginDescriptor } from './test/schema.ts';

export { type ModelNeeds, modelNeeds, type PluginDescriptor, referencedAssets } from './descriptor.ts';

/** Every plugin's descriptor; which ones are enabled is decided by `enabledPluginIds`. */
export const pluginDescriptors: readonly PluginDescriptor[] = [
  faceswapDescriptor,
  liveportraitDescriptor,
  testPluginDescriptor,
];

/** Ids of the plugins this installation runs. The test plugin only when explicitly enabled. */
export function enabledPluginIds({ enableTestPlugin }: { enableTestPlugin: boolean }): string[] {
  return pluginDescriptors.map((d) => d.id).filter((id) => id !== 'test' || enableTestPlugin);
}
