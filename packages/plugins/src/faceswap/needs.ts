// Which catalog models a face swap uses for given options. No runtime code: the descriptor carries
// these so the studio can show, before a job runs, what it needs and under which licence.
import { AUTO_DETECTORS, DETECTOR_MODELS, LANDMARKER_68_MODEL } from '../face/model-ids.ts';
import {
  AUTO_FALLBACK_SWAPPERS,
  AUTO_SWAPPERS,
  CONVERTER_MODELS,
  OCCLUDER_MODEL,
  PARSER_MODEL,
  RECOGNIZER_MODEL,
  type SwapperModel,
} from './model-ids.ts';
import type { FaceswapInput } from './schema.ts';

/** The 68-point landmarker the `landmarker` option turns on (its entry is a shared face model). */
export const LANDMARKER_MODEL = LANDMARKER_68_MODEL;

export type ModelChoices = Pick<
  FaceswapInput,
  'swapper' | 'detector' | 'landmarker' | 'restore' | 'occlusionMask' | 'regionMask'
>;

/** The swapper's file and, for ghost and SimSwap, the embedding converter it cannot run without. */
export function swapperModels(swapper: SwapperModel): string[] {
  if (swapper.startsWith('ghost_')) return [swapper, CONVERTER_MODELS.ghost];
  if (swapper.startsWith('simswap_')) return [swapper, CONVERTER_MODELS.simswap];
  return [swapper];
}

/** Models the job cannot run without (the worker checks them before starting). */
export function requiredModels(input: ModelChoices): string[] {
  const ids: string[] = [RECOGNIZER_MODEL];
  if (input.swapper !== 'auto') ids.push(...swapperModels(input.swapper));
  if (input.detector !== 'auto') ids.push(DETECTOR_MODELS[input.detector]);
  if (input.landmarker === '2dfan4') ids.push(LANDMARKER_MODEL);
  if (input.restore !== 'none') ids.push(input.restore);
  if (input.occlusionMask) ids.push(OCCLUDER_MODEL);
  if (input.regionMask) ids.push(PARSER_MODEL);
  return ids;
}

/** Models used when installed ("auto" choices): better detection and landmarks, never required. */
export function optionalModels(input: ModelChoices): string[] {
  const ids: string[] = [];
  if (input.detector === 'auto') ids.push(...AUTO_DETECTORS.map((kind) => DETECTOR_MODELS[kind]));
  if (input.landmarker === 'auto') ids.push(LANDMARKER_MODEL);
  if (input.swapper === 'auto') {
    ids.push(...new Set([...AUTO_SWAPPERS, ...AUTO_FALLBACK_SWAPPERS].flatMap(swapperModels)));
  }
  return ids;
}
