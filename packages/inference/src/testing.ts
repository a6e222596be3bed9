// Test utilities for plugin tests: ONNX fixture models with the real models' I/O, and the shared photo.
import path from 'node:path';

/** The repository's test fixtures (fixtures/ at its root). */
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../fixtures');

/** The public-domain astronaut photo (512², one face); provenance in fixtures/faces/PROVENANCE.md. */
export const ASTRONAUT = path.join(FIXTURES_DIR, 'faces', 'astronaut.png');

export { ffmpegChildren } from '@visage/ffmpeg/testing';
export {
  buildFixtureModel,
  buildFixtureModelWithExternalData,
  buildGridSample5dModel,
  type ExternalDataFixture,
  FIXTURE_WORK_SCALE,
  type FixtureModelSpec,
  type FixtureOutput,
  type FixtureWork,
  type TensorSignature,
} from './onnx/fixture.ts';
// The onnx-proto helpers, for fixture builders that need graphs of their own (e.g. the wan plugin's).
export { DataType, ELEMENT_TYPES, type NodeProto, onnx, type TensorProto } from './onnx/proto.ts';
