// The test plugin live: each frame comes back unchanged or mirrored, after an optional delay; the
// transport's tests and `pnpm bench live` measure the socket path with it, apart from any model.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RgbImage } from '@visage/inference';
import type { LiveContext, LiveFrameProcessor } from '../types.ts';
import { testLiveSchema } from './schema.ts';

function mirrorInPlace({ data, width, height }: RgbImage): void {
  for (let y = 0; y < height; y++) {
    let left = y * width * 3;
    let right = left + (width - 1) * 3;
    while (left < right) {
      for (let c = 0; c < 3; c++) {
        const t = data[left + c] as number;
        data[left + c] = data[right + c] as number;
        data[right + c] = t;
      }
      left += 3;
      right -= 3;
    }
  }
}

export async function openTestLive(ctx: LiveContext, options: unknown): Promise<LiveFrameProcessor> {
  const input = testLiveSchema.parse(options);
  if (input.image) await ctx.assets.input(input.image);
  return {
    models: [],
    async process(frame) {
      if (input.delayMs) await sleep(input.delayMs);
      if (input.mirror) mirrorInPlace(frame);
      return frame;
    },
    close() {
      // nothing held: no models, no files
    },
  };
}
