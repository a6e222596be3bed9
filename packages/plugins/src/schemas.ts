// Plugin descriptors (id, zod input, asset fields) for the API: no runtime code.
import type { PluginDescriptor } from './descriptor.ts';
import { faceswapDescriptor, faceswapLiveDescriptor } from './faceswap/schema.ts';
import { liveportraitDescriptor, liveportraitLiveDescriptor } from './liveportrait/schema.ts';
import { testLiveDescriptor, testPluginDescriptor } from './test/schema.ts';
import { wanDescriptor } from './wan/schema.ts';

export { type ModelNeeds, modelNeeds, type PluginDescriptor, referencedAssets } from './descriptor.ts';

/** Every plugin's descriptor; which ones are enabled is decided by `enabledPluginIds`. */
export const pluginDescriptors: readonly PluginDescriptor[] = [
  faceswapDescriptor,
  liveportraitDescriptor,
  wanDescriptor,
  testPluginDescriptor,
];

/** Ids of the plugins this installation runs. The test plugin only when explicitly enabled. */
export function enabledPluginIds({ enableTestPlugin }: { enableTestPlugin: boolean }): string[] {
  return pluginDescriptors.map((d) => d.id).filter((id) => id !== 'test' || enableTestPlugin);
}

/** What a live session of each plugin takes (docs/live.md §1); a plugin without one has no live mode. */
export const liveDescriptors: readonly PluginDescriptor[] = [
  faceswapLiveDescriptor,
  liveportraitLiveDescriptor,
  testLiveDescriptor,
];
