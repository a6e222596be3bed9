// An image face swap: every selected face of the target replaced, written in the target's format.
import { encodeImage, type ImageFormat, type RgbImage } from '@visage/inference';
import { roundTimings } from '../timings.ts';
import { type InputAsset, PluginInputError, type RunContext } from '../types.ts';
import type { FaceSwapProcessor } from './processor.ts';

export async function swapImage(
  ctx: RunContext,
  processor: FaceSwapProcessor,
  target: InputAsset,
  image: RgbImage,
  format: ImageFormat,
): Promise<void> {
  ctx.signal.throwIfAborted();
  ctx.progress(0.1, 'finding faces');
  const analysis = await processor.analyse(image);
  if (analysis.selected.length === 0) {
    throw new PluginInputError(
      analysis.found === 0
        ? `No face found in the target image "${target.name}"`
        : `None of the ${analysis.found} faces in the target image "${target.name}" matches the face selection (${processor.settings.selection.mode})`,
    );
  }
  ctx.signal.throwIfAborted();
  ctx.progress(0.3, `swapping ${analysis.selected.length} face${analysis.selected.length > 1 ? 's' : ''}`);
  await processor.apply(image, analysis);
  ctx.progress(0.9, 'saving');
  const data = await encodeImage(image, format, 95);
  const { stats } = processor;
  ctx.record({
    faces: {
      found: analysis.found,
      swapped: stats.facesSwapped,
      estimatedLandmarks: stats.estimatedLandmarks,
    },
    stageMs: roundTimings(stats.timings),
    output: { format, width: image.width, height: image.height },
  });
  await ctx.assets.writeOutput({ slot: 'result', data });
}
