// Runtime plugins for the worker. The API imports only ./schemas and ./catalog.
import { faceswapPlugin } from './faceswap/index.ts';
import { liveportraitPlugin } from './liveportrait/index.ts';
import { testPlugin } from './test/index.ts';
import type { Plugin } from './types.ts';
import { wanPlugin } from './wan/index.ts';

export { MODEL_SETS, modelCatalog } from './catalog.ts';
export {
  findTargetFaces,
  type TargetFace,
  type TargetFaces,
  type TargetFacesOptions,
} from './faceswap/target-faces.ts';
export type { ModelUse } from './leases.ts';
export { enabledPluginIds, liveDescriptors, pluginDescriptors, referencedAssets } from './schemas.ts';
export * from './types.ts';

const allPlugins: readonly Plugin[] = [faceswapPlugin, liveportraitPlugin, wanPlugin, testPlugin] as Plugin[];

/** The plugins with these ids; fails on an unknown id (a typo in configuration must not pass). */
export function loadPlugins(ids: readonly string[]): Plugin[] {
  return ids.map((id) => {
    const plugin = allPlugins.find((p) => p.id === id);
    if (!plugin) throw new Error(`Unknown plugin "${id}". Known: ${allPlugins.map((p) => p.id).join(', ')}`);
    return plugin;
  });
}
