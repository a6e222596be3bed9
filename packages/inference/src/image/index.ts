// Public surface of the image ops: codecs, affine transforms and templates, warp, masks, paste-back, colour.

export { pasteBack, pasteRegion, type Rect } from './blend.ts';
export { type ClaheOptions, clahe } from './clahe.ts';
export {
  applyLabTransfer,
  type ColorTransferOptions,
  colorTransfer,
  type LabStats,
  lab8Lightness,
  lab8ToRgb,
  labStats,
  labToRgb,
  rgbToLab,
  rgbToLab8,
  rgbToYCbCr,
  swapRB,
  yCbCrToRgb,
} from './color.ts';
export { FixedPaste } from './fixed-paste.ts';
export {
  assertImage,
  createImage,
  decodeImage,
  encodeImage,
  type ImageFormat,
  type ResizeOptions,
  type RgbImage,
  resizeImage,
} from './image.ts';
export {
  type BlurredBoxMaskOptions,
  blurredBoxMask,
  gaussianBlur,
} from './mask.ts';
export { MaskCanvas } from './mask-canvas.ts';
export {
  type Affine,
  ARCFACE_112_TEMPLATE,
  ARCFACE_112_V1_TEMPLATE,
  ARCFACE_128_TEMPLATE,
  affine,
  applyAffine,
  composeAffine,
  estimateSimilarity,
  FFHQ_512_TEMPLATE,
  identityAffine,
  invertAffine,
  type Point,
  scaleTemplate,
  similarityAffine,
} from './transform.ts';
export { resizeLinear, type WarpOptions, warpAffine } from './warp.ts';
export {
  assertPicture,
  isYuv,
  type Picture,
  rgbToYuv,
  toRgb,
  writeRgbToYuv,
  type YuvColor,
  type YuvImage,
  type YuvMatrix,
  type YuvRange,
  yuvFrameSize,
  yuvPlanes,
  yuvToRgb,
} from './yuv.ts';
export { FixedYuvPaste } from './yuv-fixed-paste.ts';
