// An image as a model's input, following the `preprocess` block of its catalog entry (layout,
// normalisation, channel order), so the code that runs a model repeats none of it.
import { type RgbImage, toCHW, toHWCFloat } from '@visage/inference';
import type { Preprocess } from '@visage/inference/models';

/** The input tensor's values for `image` (already at the input size). */
export function inputValues(image: RgbImage, preprocess: Preprocess): Float32Array {
  return preprocess.layout === 'nchw'
    ? toCHW(image, preprocess.normalize)
    : toHWCFloat(image, preprocess.normalize);
}

/** The input tensor's dims for a square input of `side` (default: the entry's size). */
export function inputDims(preprocess: Preprocess, side = preprocess.size): number[] {
  return preprocess.layout === 'nchw' ? [1, 3, side, side] : [1, side, side, 3];
}
