// Test utilities for plugin tests: ONNX fixture models with the real models' I/O, and the shared photo.
import path from 'node:path';

/** The public-domain astronaut photo (512², one face) in ../shared/fixtures beside the repository. */
export const ASTRONAUT = path.resolve(import.meta.dirname, '../../../../shared/fixtures/faces/astronaut.png');

export {
  buildFixtureModel,
  buildGridSample5dModel,
  FIXTURE_WORK_SCALE,
  type FixtureModelSpec,
  type FixtureOutput,
  type FixtureWork,
  type TensorSignature,
} from './onnx/fixture.ts';
export { ffmpegChildren } from './video/children.ts';
