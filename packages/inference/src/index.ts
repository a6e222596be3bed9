// Public surface of @visage/inference: sessions, the ModelManager, the model catalog and store,
// ONNX reading, image/tensor ops and video IO. Test helpers are in ./testing.

export * from './image/index.ts';
export {
  type LoadModel,
  ModelBudgetError,
  type ModelLease,
  type ModelLocation,
  type ModelLocator,
  ModelManager,
  type ModelManagerOptions,
  type ModelManagerStats,
  type ModelMemory,
} from './model-manager.ts';
export * from './models/index.ts';
export { type ExternalDataRef, readExternalDataRefs } from './onnx/external-data.ts';
export { type Initializer, readInitializer } from './onnx/reader.ts';
export {
  ContractError,
  type ContractTensor,
  checkContract,
  type SessionContract,
} from './session/contract.ts';
export { checkExternalData } from './session/external-data.ts';
export {
  type CreateSessionOptions,
  checkFeeds,
  createSession,
  FeedError,
  type ModelSession,
  ort,
  type SessionLogger,
  type TensorInfo,
} from './session/session.ts';
export * from './tensor/index.ts';
export * from './video/index.ts';
