// Getting a portrait animation's models from the ModelManager. Each model runs on the providers its
// catalog entry allows: the warping module's 5-D GridSample keeps it off CoreML, so on a Mac it runs
// on the CPU while the small models use CoreML (recorded per model).
import type { ModelSession } from '@visage/inference';
import { acquireDetector, type DetectorKind } from '../face/detect.ts';
import { type Acquire, LeaseSet, type ModelUse } from '../leases.ts';
import { LP_MODELS } from './model-ids.ts';
import { type ModelChoices, normalizesLips } from './needs.ts';

export interface LivePortraitModels {
  detector: { kind: DetectorKind; session: ModelSession };
  /** 2d106det: the 106 points LP crops the portrait from and seeds the 203-point model with (§5.3). */
  landmark106: ModelSession;
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
  /** The model when the options call for it (then it must be installed), else null. */
  const requiredIf = async (wanted: boolean, id: string, role: string) =>
    wanted ? leases.required(acquire, id, role) : null;
  try {
    const retargeting = input.eyeRetargeting || input.lipRetargeting;
    const models: LivePortraitModels = {
      detector: await acquireDetector(leases, acquire, 'auto'),
      landmark106: await leases.required(acquire, LP_MODELS.landmark106, 'landmarks106'),
      appearance: await leases.required(acquire, LP_MODELS.appearance, 'appearance'),
      motion: await leases.required(acquire, LP_MODELS.motion, 'motion'),
      warping: await leases.required(acquire, LP_MODELS.warping, 'warping'),
      stitching: await requiredIf(input.stitching, LP_MODELS.stitching, 'stitching'),
      eye: await requiredIf(input.eyeRetargeting, LP_MODELS.eye, 'eye retargeting'),
      // Lip retargeting needs it; lip normalisation (closing an open source mouth first) uses it when
      // installed.
      lip: input.lipRetargeting
        ? await leases.required(acquire, LP_MODELS.lip, 'lip retargeting')
        : normalizesLips(input)
          ? await leases.ifInstalled(acquire, LP_MODELS.lip, 'lip normalisation')
          : null,
      // Needed for retargeting; otherwise used when installed, to track the driving face as LP does.
      landmark203: retargeting
        ? await leases.required(acquire, LP_MODELS.landmark, 'landmarks203')
        : await leases.ifInstalled(acquire, LP_MODELS.landmark, 'landmarks203'),
    };
    return { models, used: leases.used, release: () => leases.release() };
  } catch (error) {
    leases.release();
    throw error;
  }
}
