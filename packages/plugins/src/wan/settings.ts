// The settings a Wan job runs with: the preset applied to the form's options (docs/models/wan.md §7.8).
import type { WanInput } from './schema.ts';

export interface WanSettings {
  width: number;
  height: number;
  /** Pixel frames, 4k + 1. */
  frames: number;
  steps: number;
  shift: number;
  guidance: number;
  sampler: WanInput['sampler'];
  seed: number;
  fps: number;
}

/** Wan's default shift: 16 for VACE, 5 for T2V at 480p (generate.py, docs/models/wan.md §7.8). */
const REFERENCE_SHIFT = { vace: 16, t2v: 5 } as const;

/** Resolves the preset; `randomSeed` supplies a seed when the form left it empty. */
export function wanSettings(input: WanInput, randomSeed: () => number): WanSettings {
  const [width, height] = input.size.split('x').map(Number) as [number, number];
  const common = {
    guidance: input.guidance,
    sampler: input.sampler,
    seed: input.seed ?? randomSeed(),
    fps: input.fps,
  };
  switch (input.preset) {
    case 'reference':
      return { ...common, width, height, frames: 81, steps: 50, shift: REFERENCE_SHIFT[input.model] };
    case 'fast':
      // Half of Wan's 480p sizes (still multiples of 16), a one-second clip and few steps: a CPU try.
      return {
        ...common,
        width: width >= 480 && height >= 480 ? width / 2 : width,
        height: width >= 480 && height >= 480 ? height / 2 : height,
        frames: 17,
        steps: 12,
        shift: REFERENCE_SHIFT[input.model],
      };
    case 'custom':
      return { ...common, width, height, frames: input.frames, steps: input.steps, shift: input.shift };
  }
}
