// A live portrait session: the portrait prepared once, then each camera frame drives it.
import { readImage } from '../inputs.ts';
import type { LiveContext, LiveFrameProcessor } from '../types.ts';
import { openLivePortraitFrameProcessor } from './frame-processor.ts';
import { liveportraitLiveSchema } from './schema.ts';

export async function openLiveportraitLive(ctx: LiveContext, options: unknown): Promise<LiveFrameProcessor> {
  const input = liveportraitLiveSchema.parse(options);
  const asset = await ctx.assets.input(input.source);
  const portrait = { name: asset.name, image: await readImage(asset, 'portrait') };
  return openLivePortraitFrameProcessor(ctx.models.acquire, input, portrait);
}
