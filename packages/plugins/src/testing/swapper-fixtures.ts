// Fixture models with the I/O of the 256/512-px swappers and their embedding converters
// (docs/models/face.md §5.6, §11), keyed by catalog id. Every tensor is float32. Real names where a
// source gives them: `target` and `source` (FaceFusion feeds them by name), HyperSwap's outputs
// `output` and `mask` and its input order (source, target), CrossFace's `input` → `output`
// (facefusion-labs' exports); the ghost and SimSwap output name is a stand-in (read by position).
// Outputs follow the inputs' means (buildFixtureModel), so another feed gives another face.
import type { FixtureModelSpec } from '@visage/inference/testing';
import { CONVERTER_MODELS, type SwapperModel } from '../faceswap/model-ids.ts';

const EMBEDDING = [1, 512];
const image = (size: number) => [1, 3, size, size];

function swapper(size: number): FixtureModelSpec {
  return {
    inputs: [
      { name: 'target', dims: image(size) },
      { name: 'source', dims: EMBEDDING },
    ],
    outputs: [{ name: 'output', dims: image(size) }],
  };
}

/** HyperSwap: the swapped face and the model's own blend mask [1,1,256,256], which FaceFusion leaves unused. */
const HYPERSWAP: FixtureModelSpec = {
  inputs: [
    { name: 'source', dims: EMBEDDING },
    { name: 'target', dims: image(256) },
  ],
  outputs: [
    { name: 'output', dims: image(256) },
    { name: 'mask', dims: [1, 1, 256, 256] },
  ],
};

const CONVERTER: FixtureModelSpec = {
  inputs: [{ name: 'input', dims: EMBEDDING }],
  outputs: [{ name: 'output', dims: EMBEDDING }],
};

export const SWAPPER_FIXTURE_SPECS = {
  hyperswap_1a_256: HYPERSWAP,
  hyperswap_1b_256: HYPERSWAP,
  hyperswap_1c_256: HYPERSWAP,
  ghost_1_256: swapper(256),
  ghost_2_256: swapper(256),
  ghost_3_256: swapper(256),
  simswap_256: swapper(256),
  simswap_unofficial_512: swapper(512),
  [CONVERTER_MODELS.ghost]: CONVERTER,
  [CONVERTER_MODELS.simswap]: CONVERTER,
} satisfies Record<Exclude<SwapperModel, 'inswapper_128'>, FixtureModelSpec> &
  Record<(typeof CONVERTER_MODELS)[keyof typeof CONVERTER_MODELS], FixtureModelSpec>;
