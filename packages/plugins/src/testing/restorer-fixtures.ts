// Fixture models with the exact I/O of every face restorer (docs/models/face.md §6.3, §11): image
// `input` float32 [1,3,N,N] → `output` [1,3,N,N] at the model's size N (its catalog entry's, which
// test/restore-models.test.ts holds to FaceFusion's), and CodeFormer's extra `weight` float64 [1].
// The outputs return the input (an enhancer that changes nothing), but CodeFormer's, which follows
// its inputs' means (so it moves with the weight), as in FACESWAP_FIXTURE_SPECS.
import type { FixtureModelSpec } from '@visage/inference/testing';
import type { RestoreModel } from '../faceswap/model-ids.ts';
import { RESTORER_MODEL_SET } from '../faceswap/restorer-models.ts';

function restorerSpec(id: RestoreModel, size: number): FixtureModelSpec {
  const image = [1, 3, size, size];
  if (id === 'codeformer') {
    return {
      inputs: [
        { name: 'input', dims: image },
        { name: 'weight', dims: [1], type: 'float64' },
      ],
      outputs: [{ name: 'output', dims: image }],
    };
  }
  return {
    inputs: [{ name: 'input', dims: image }],
    outputs: [{ name: 'output', dims: image, compute: 'identity:input' }],
  };
}

/** Fixture specs for every restorer id (RESTORER_MODELS), keyed by id. */
export const RESTORER_FIXTURE_SPECS = Object.fromEntries(
  Object.values(RESTORER_MODEL_SET).map((entry) => [
    entry.id,
    restorerSpec(entry.id as RestoreModel, entry.preprocess.size),
  ]),
) as Record<RestoreModel, FixtureModelSpec>;
