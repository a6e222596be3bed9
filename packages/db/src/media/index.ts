// @visage/db/media: the content-addressed media store, its asset rows and HTTP range parsing.
export { createAsset, type DeletedAsset, deleteAsset, type NewAsset } from './assets.ts';
export { formatBytes, MediaError, type MediaErrorCode, type MediaErrorStatus } from './errors.ts';
export { resolveKey, storageKeyFor, thumbnailKeyFor } from './keys.ts';
export {
  DEFAULT_MEDIA_LIMITS,
  type MediaKind,
  type MediaLimits,
  SUPPORTED_TYPES,
  type SupportedType,
  supportedType,
} from './limits.ts';
export { cleanFileName, MAX_NAME_CHARS } from './names.ts';
export {
  type ImageProbe,
  MAX_IMAGE_PIXELS,
  MAX_VIDEO_PIXELS,
  probeImage,
  probeVideo,
  type VideoProbe,
} from './probe.ts';
export { type ByteRange, parseRange } from './range.ts';
export type { ByteSource } from './receive.ts';
export { SNIFF_BYTES, sniffType } from './sniff.ts';
export {
  discardStagedOutputs,
  type JobOutputs,
  newAssetId,
  type StagedOutput,
  sweepStagedOutputs,
} from './staged.ts';
export { type IngestOptions, MediaStore, type StoredMedia } from './store.ts';
export { THUMBNAIL_SIZE, writeImageThumbnail, writeVideoPoster } from './thumbnails.ts';
