// Test utilities for plugin tests: ONNX fixture models with the real models' I/O.
export {
  buildFixtureModel,
  type FixtureModelSpec,
  type FixtureOutput,
  type TensorSignature,
} from './onnx/fixture.ts';
