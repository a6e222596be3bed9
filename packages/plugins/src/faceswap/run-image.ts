// An image face swap: every selected face of the target replaced, written in the target's format.
import { encodeImage, type ImageFormat, MaskCanvas, type RgbImage } from '@visage/inference';
import { roundTimings } from '../timings.ts';
import { type InputAsset, PluginInputError, type RunContext } from '../types.ts';
import type { FaceSwapProcessor } from './processor.ts';

export async function swapImage(
  ctx: RunContext,
  processor: FaceSwapProcessor,
  target: InputAsset,
  image: RgbImage,
  format: ImageFormat,
  saveMask = false,
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
  // saveMask: every face's paste weights, as pasteBack used them, on one frame-sized canvas.
  const canvas = saveMask ? new MaskCanvas(image.width, image.height) : null;
  if (canvas) processor.onSwap = (swap) => canvas.add(swap.mask, swap.size, swap.cropToFrame);
  await processor.apply(image, analysis);
  processor.onSwap = null;
  ctx.progress(0.9, 'saving');
  const data = await encodeImage(image, format, 95);
  const { stats } = processor;
  ctx.record({
    faces: {
      found: analysis.found,
      swapped: stats.facesSwapped,
      estimatedLandmarks: stats.estimatedLandmarks,
      ...(Object.keys(stats.swapsByIdentity).length > 0 ? { byIdentity: stats.swapsByIdentity } : {}),
    },
    stageMs: roundTimings(stats.timings),
    output: { format, width: image.width, height: image.height },
  });
  await ctx.assets.writeOutput({ slot: 'result', data });
  if (canvas)
    await ctx.assets.writeOutput({ slot: 'mask', data: await encodeImage(canvas.toImage(), 'png') });
}
