// Which catalog models a portrait animation uses for given options. No runtime code: the descriptor
// carries these so the studio can show, before a job runs, what it needs and under which licence.
import { AUTO_DETECTORS, DETECTOR_MODELS } from '../face/model-ids.ts';
import { LP_MODELS } from './model-ids.ts';
import type { LiveportraitInput } from './schema.ts';

export type ModelChoices = Pick<
  LiveportraitInput,
  'mode' | 'stitching' | 'eyeRetargeting' | 'lipRetargeting' | 'normalizeLips'
>;

/** LP normalises the portrait's lips only with relative motion and without eye or lip retargeting. */
export function normalizesLips(
  input: Pick<ModelChoices, 'normalizeLips' | 'mode' | 'eyeRetargeting' | 'lipRetargeting'>,
): boolean {
  return input.normalizeLips && input.mode === 'relative' && !input.eyeRetargeting && !input.lipRetargeting;
}

/** Whether retargeting follows the driving face's eyes or lips (then their ratios are tracked, §3.8). */
export function followsDrivingRatios(
  input: Pick<LiveportraitInput, 'eyeRetargeting' | 'eyeOpen' | 'lipRetargeting' | 'lipOpen'>,
): boolean {
  return (
    (input.eyeRetargeting && input.eyeOpen === undefined) ||
    (input.lipRetargeting && input.lipOpen === undefined)
  );
}

/**
 * Models the job cannot run without (the worker checks them before it starts). 2d106det is among
 * them: LP crops the portrait from its 106 points, and no other crop was shown to land where that one
 * does (docs/models/liveportrait.md §5.3).
 */
export function requiredModels(input: ModelChoices): string[] {
  const ids: string[] = [LP_MODELS.appearance, LP_MODELS.motion, LP_MODELS.warping, LP_MODELS.landmark106];
  if (input.stitching) ids.push(LP_MODELS.stitching);
  if (input.eyeRetargeting) ids.push(LP_MODELS.eye);
  if (input.lipRetargeting) ids.push(LP_MODELS.lip);
  if (input.eyeRetargeting || input.lipRetargeting) ids.push(LP_MODELS.landmark);
  return ids;
}

/**
 * Models used when installed: the best face detector there is, the 203-point model to track the
 * driving face (required anyway for retargeting), and the lip model to close an open source mouth
 * first (LP's lip normalisation, with the 203 points; see normalizesLips).
 */
export function optionalModels(input: ModelChoices): string[] {
  return [
    ...AUTO_DETECTORS.map((kind) => DETECTOR_MODELS[kind]),
    ...(input.eyeRetargeting || input.lipRetargeting ? [] : [LP_MODELS.landmark]),
    ...(normalizesLips(input) ? [LP_MODELS.lip] : []),
  ];
}
