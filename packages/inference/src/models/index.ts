// Public surface of the model catalog, store and downloader (re-exported by ../index.ts).
export {
  assembleCatalog,
  type DefinedModel,
  defineModel,
  findModel,
  findVariant,
  fp32Variant,
  loadModelCatalog,
  type ModelEntry,
  type ModelSpec,
} from './catalog.ts';
export {
  DownloadCancelledError,
  type DownloadedFile,
  type DownloadOptions,
  type DownloadResult,
  type DownloadSource,
  downloadModel,
} from './download.ts';
export {
  ChecksumError,
  ExternalDataError,
  HttpError,
  type MissingModel,
  ModelMissingError,
  UnknownModelError,
} from './errors.ts';
export { sha256File } from './hash.ts';
export { OPEN_LICENCES } from './licences.ts';
export {
  type ExternalDataFile,
  FACE_TEMPLATES,
  type FaceTemplate,
  type ModelCatalog,
  type ModelLicence,
  type ModelPlugin,
  type ModelVariant,
  modelEntrySchema,
  PRECISIONS,
  PROVIDERS,
  type Precision,
  type Preprocess,
  parseCatalog,
} from './schema.ts';
export {
  type DataFileStatus,
  type ImportedFile,
  type ImportResult,
  type InstallState,
  type ModelStatus,
  ModelStore,
  type StoredModelLocation,
  type VariantStatus,
  type VerifyResult,
} from './store.ts';
