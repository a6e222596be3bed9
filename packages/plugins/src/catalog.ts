// The model catalog the worker's store and CLI see (and report to the web app), assembled from the
// model sets declared next to the code that runs them: the shared face models, then each plugin's.
// Registering a plugin's models is one line here. Free of onnxruntime and sharp (only
// @visage/inference/models) (docs/architecture.md §2.2, §7.1).
import {
  assembleCatalog,
  loadModelCatalog,
  type ModelCatalog,
  type ModelEntry,
} from '@visage/inference/models';
import { FACE_MODEL_SET } from './face/models.ts';
import { FACESWAP_MODEL_SET } from './faceswap/models.ts';
import { LIVEPORTRAIT_MODEL_SET } from './liveportrait/models.ts';
import { WAN_MODEL_SET, WAN_T2V_MODEL_SET } from './wan/models.ts';

/** Every registered model set, in the order `models list` shows them. */
export const MODEL_SETS: readonly Readonly<Record<string, ModelEntry>>[] = [
  FACE_MODEL_SET,
  FACESWAP_MODEL_SET,
  LIVEPORTRAIT_MODEL_SET,
  WAN_MODEL_SET, // VACE 1.3B: exported with tools/export-wan, then imported (docs/models/wan.md §9)
  WAN_T2V_MODEL_SET,
];

let builtIn: ModelCatalog | undefined;

/**
 * The registered models, validated once, plus the entries of `overrideFile` (VISAGE_MODEL_CATALOG: a
 * private mirror, another export, test fixtures), which replace entries of the same id or are added.
 */
export function modelCatalog(overrideFile?: string): ModelCatalog {
  builtIn ??= assembleCatalog(MODEL_SETS.map((set) => Object.values(set)));
  return loadModelCatalog(builtIn, overrideFile);
}
