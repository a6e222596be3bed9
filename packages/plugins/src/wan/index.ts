import type { Plugin } from '../types.ts';
import { runWan } from './run.ts';
import { wanDescriptor } from './schema.ts';

export const wanPlugin: Plugin<typeof wanDescriptor.input> = {
  ...wanDescriptor,
  run: runWan,
};
