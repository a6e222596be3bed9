import type { Plugin } from '../types.ts';
import { openTestLive } from './live.ts';
import { runTestPlugin } from './run.ts';
import { testPluginDescriptor } from './schema.ts';

export const testPlugin: Plugin<typeof testPluginDescriptor.input> = {
  ...testPluginDescriptor,
  openLive: openTestLive,
  run: runTestPlugin,
};
