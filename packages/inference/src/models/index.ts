// Public surface of the model catalog, store and downloader (re-exported by ../index.ts).
export { findModel, findVariant, loadModelCatalog, MODEL_CATALOG, type ModelEntry } from './catalog.ts';
export {
  DownloadCancelledError,
  type DownloadOptions,
  type DownloadResult,
  type DownloadSource,
  downloadModel,
} from './download.ts';
export {
  ChecksumError,
  HttpError,
  type MissingModel,
  ModelMissingError,
  UnknownModelError,
} from './errors.ts';
export { sha256File } from './hash.ts';
export {
  type ModelCatalog,
  type ModelLicence,
  type ModelPlugin,
  type ModelVariant,
  PRECISIONS,
  PROVIDERS,
  type Precision,
  parseCatalog,
} from './schema.ts';
export {
  type ImportResult,
  type InstallState,
  type ModelStatus,
  ModelStore,
  type StoredModelLocation,
  type VariantStatus,
  type VerifyResult,
} from './store.ts';
