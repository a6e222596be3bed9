import type { Plugin } from '../types.ts';
import { runTestPlugin } from './run.ts';
import { testPluginDescriptor } from './schema.ts';

export const testPlugin: Plugin<typeof testPluginDescriptor.input> = {
  ...testPluginDescriptor,
  run: runTestPlugin,
};
