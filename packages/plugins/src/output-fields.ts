// Form fields the video plugins share (descriptors only: no runtime code).
import { z } from 'zod';

/** H.264's constant-rate factor for a plugin's video output, in the form section `group`. */
export function videoQualityField(
  group: string,
  label = 'H.264 constant-rate factor (lower is better and larger).',
) {
  return z.int().min(0).max(51).default(18).describe(label).meta({ group, advanced: true });
}
