import type { Plugin } from '../types.ts';
import { openLiveportraitLive } from './live.ts';
import { runLiveportrait } from './run.ts';
import { liveportraitDescriptor } from './schema.ts';

export const liveportraitPlugin: Plugin<typeof liveportraitDescriptor.input> = {
  ...liveportraitDescriptor,
  openLive: openLiveportraitLive,
  run: runLiveportrait,
};

export { type AcquiredLivePortrait, acquireLivePortraitModels } from './acquire.ts';
export { LivePortraitAnimator } from './animator.ts';
export { type LivePortraitFrameProcessor, openLivePortraitFrameProcessor } from './frame-processor.ts';
export { LP_MODELS } from './model-ids.ts';
export { type LiveportraitInput, liveportraitSchema } from './schema.ts';
