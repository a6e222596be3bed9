import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import type { z } from 'zod';
import type { RunContext } from '../types.ts';
import type { testPluginSchema } from './schema.ts';

type Input = z.infer<typeof testPluginSchema>;

/** A 256×256 gradient, drawn pixel by pixel into one buffer. */
function gradient(size = 256): Buffer {
  const pixels = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      pixels[i] = x;
      pixels[i + 1] = y;
      pixels[i + 2] = 255 - x;
    }
  }
  return pixels;
}

export async function runTestPlugin(ctx: RunContext, input: Input): Promise<void> {
  if (input.model) {
    const lease = await ctx.models.acquire(input.model);
    try {
      ctx.record({
        model: {
          id: input.model,
          provider: lease.session.provider,
          inputs: lease.session.inputs.map((i) => i.name),
        },
      });
    } finally {
      lease.release();
    }
  }
  const source = input.image
    ? sharp((await ctx.assets.input(input.image)).path, { autoOrient: true }) // as displayed (EXIF)
    : sharp(gradient(), { raw: { width: 256, height: 256, channels: 3 } });
  const result = await source.flop().png().toBuffer();
  const preview = await sharp(result).resize(128, 128, { fit: 'inside' }).webp().toBuffer();

  for (let step = 1; step <= input.steps; step++) {
    ctx.signal.throwIfAborted();
    if (step === input.failAtStep) throw new Error(`Test plugin failed at step ${step} as asked`);
    // An abort during the wait surfaces as the abort's reason, as it does between steps.
    await sleep(input.stepMs, undefined, { signal: ctx.signal }).catch((error: unknown) => {
      ctx.signal.throwIfAborted();
      throw error;
    });
    const halfway = step === Math.ceil(input.steps / 2);
    ctx.progress(
      step / input.steps,
      `step ${step}/${input.steps}`,
      halfway ? { data: preview, mime: 'image/webp' } : undefined,
    );
  }
  ctx.record({ steps: input.steps, mirrored: Boolean(input.image) });
  await ctx.assets.writeOutput({ slot: 'result', data: result });
}
