// Which models a portrait animation needs, and getting them from the ModelManager. Each model runs
// on the providers its catalog entry allows: the warping module's 5-D GridSample keeps it off
// CoreML, so on a Mac it runs on the CPU while the small models use CoreML (recorded per model).
import type { ModelSession } from '@visage/inference';
import { acquireDetector, type DetectorKind } from '../face/detect.ts';
import { type Acquire, LeaseSet, type ModelUse } from '../leases.ts';
import { LP_MODELS, type ModelChoices, normalizesLips } from './needs.ts';

export interface LivePortraitModels {
  detector: { kind: DetectorKind; session: ModelSession };
  /** 2d106det when installed: the crop rectangle from 106 points instead of the detector's few. */
  landmark106: ModelSession | null;
  appearance: ModelSession;
  motion: ModelSession;
  warping: ModelSession;
  stitching: ModelSession | null;
  eye: ModelSession | null;
  lip: ModelSession | null;
  /** LivePortrait's 203-point landmarks: eye and lip ratios (retargeting), tracking the driving face. */
  landmark203: ModelSession | null;
}

export interface AcquiredLivePortrait {
  models: LivePortraitModels;
  used: ModelUse[];
  release(): void;
}

export async function acquireLivePortraitModels(
  acquire: Acquire,
  input: ModelChoices,
): Promise<AcquiredLivePortrait> {
  const leases = new LeaseSet();
  const optional = async (id: string, role: string, wanted: boolean) =>
    wanted ? leases.take(await acquire(id), role) : null;
  try {
    const models: LivePortraitModels = {
      detector: await acquireDetector(leases, acquire, 'auto'),
      landmark106: await leases.open(acquire, LP_MODELS.landmark106, 'landmarks106', false),
      appearance: leases.take(await acquire(LP_MODELS.appearance), 'appearance'),
      motion: leases.take(await acquire(LP_MODELS.motion), 'motion'),
      warping: leases.take(await acquire(LP_MODELS.warping), 'warping'),
      stitching: await optional(LP_MODELS.stitching, 'stitching', input.stitching),
      eye: await optional(LP_MODELS.eye, 'eye retargeting', input.eyeRetargeting),
      // Lip retargeting needs it; lip normalisation (closing an open source mouth first) uses it when
      // installed.
      lip: input.lipRetargeting
        ? await optional(LP_MODELS.lip, 'lip retargeting', true)
        : normalizesLips(input)
          ? await leases.open(acquire, LP_MODELS.lip, 'lip normalisation', false)
          : null,
      // Needed for retargeting; otherwise used when installed, to track the driving face as LP does.
      landmark203: await leases.open(
        acquire,
        LP_MODELS.landmark,
        'landmarks203',
        input.eyeRetargeting || input.lipRetargeting,
      ),
    };
    return { models, used: leases.used, release: () => leases.release() };
  } catch (error) {
    leases.release();
    throw error;
  }
}
