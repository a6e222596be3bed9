// Public surface of the tensor ops: image ↔ float tensor layouts and letterboxing for model inputs.
export {
  type Letterbox,
  type LetterboxOptions,
  letterbox,
  letterboxPoint,
  unletterboxPoint,
} from './letterbox.ts';
export {
  type FromCHWOptions,
  fromCHW,
  NORMALIZE,
  type Normalization,
  type TensorOptions,
  toCHW,
  toHWCFloat,
} from './tensor.ts';
