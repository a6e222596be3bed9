// Getting a face swap's models from the ModelManager: "auto" takes the best detector installed
// (BlazeFace ships with Visage, so there always is one) and 2DFAN4 when present.
import { acquireDetector } from '../face/detect.ts';
import { type Acquire, LeaseSet, type ModelUse } from '../leases.ts';
import { OCCLUDER_MODEL, PARSER_MODEL, RECOGNIZER_MODEL } from './model-ids.ts';
import { LANDMARKER_MODEL, type ModelChoices } from './needs.ts';
import type { FaceSwapModels } from './processor.ts';
import { loadSwapper } from './swapper.ts';

export type { ModelUse } from '../leases.ts';

export interface AcquiredModels {
  models: FaceSwapModels;
  used: ModelUse[];
  /** Releases every lease; safe to call twice. */
  release(): void;
}

export async function acquireFaceSwapModels(acquire: Acquire, input: ModelChoices): Promise<AcquiredModels> {
  const leases = new LeaseSet();
  try {
    const detector = await acquireDetector(leases, acquire, input.detector);
    const landmarker =
      input.landmarker === 'none'
        ? null
        : input.landmarker === '2dfan4'
          ? await leases.required(acquire, LANDMARKER_MODEL, 'landmarker')
          : await leases.ifInstalled(acquire, LANDMARKER_MODEL, 'landmarker');
    const recognizer = await leases.required(acquire, RECOGNIZER_MODEL, 'recognizer');
    // The swapper asked for, or auto's pick, with its embedding converter (ghost, SimSwap).
    const swapper = await loadSwapper(leases, acquire, input.swapper);
    const restorer =
      input.restore === 'none'
        ? null
        : { model: input.restore, session: await leases.required(acquire, input.restore, 'restorer') };
    const occluder = input.occlusionMask ? await leases.required(acquire, OCCLUDER_MODEL, 'occluder') : null;
    const parser = input.regionMask ? await leases.required(acquire, PARSER_MODEL, 'parser') : null;
    return {
      models: { detector, landmarker, recognizer, swapper, restorer, occluder, parser },
      used: leases.used,
      release: () => leases.release(),
    };
  } catch (error) {
    leases.release();
    throw error;
  }
}
