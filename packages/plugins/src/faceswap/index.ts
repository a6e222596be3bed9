import type { Plugin } from '../types.ts';
import { openFaceswapLive } from './live.ts';
import { runFaceswap } from './run.ts';
import { faceswapDescriptor } from './schema.ts';

export const faceswapPlugin: Plugin<typeof faceswapDescriptor.input> = {
  ...faceswapDescriptor,
  openLive: openFaceswapLive,
  run: runFaceswap,
};

export { type AcquiredModels, acquireFaceSwapModels } from './acquire.ts';
export { type FaceSwapFrameProcessor, openFaceSwapFrameProcessor } from './frame-processor.ts';
export { FaceSwapProcessor, type FaceSwapSettings, type FaceSwapStats } from './processor.ts';
export { settingsOf } from './run.ts';
export { type FaceswapInput, faceswapSchema } from './schema.ts';
