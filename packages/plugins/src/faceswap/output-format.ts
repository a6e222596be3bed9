// The output format of an image face swap.
import type { ImageFormat } from '@visage/inference';
import type { InputAsset } from '../types.ts';
import type { FaceswapInput } from './schema.ts';

/** The output format of an image job: the target's own when it is one we write, else PNG. */
export function outputFormat(input: FaceswapInput, target: InputAsset): ImageFormat {
  if (input.imageFormat !== 'same') return input.imageFormat;
  const own = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' } as const;
  return own[target.mime as keyof typeof own] ?? 'png';
}
