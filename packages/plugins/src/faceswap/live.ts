// A live face swap session: the source faces read once, then the camera's frames swapped one by one.
import { readImage } from '../inputs.ts';
import type { LiveContext, LiveFrameProcessor } from '../types.ts';
import { openFaceSwapFrameProcessor } from './frame-processor.ts';
import { faceswapLiveSchema } from './schema.ts';

export async function openFaceswapLive(ctx: LiveContext, options: unknown): Promise<LiveFrameProcessor> {
  const input = faceswapLiveSchema.parse(options);
  const sources = [];
  for (const id of input.source) {
    const asset = await ctx.assets.input(id);
    sources.push({ name: asset.name, image: await readImage(asset, 'source image') });
  }
  return openFaceSwapFrameProcessor(ctx.models.acquire, input, sources);
}
