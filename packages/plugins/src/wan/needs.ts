// Which catalog models a Wan job uses for given options. No runtime code.
import { WAN_MODEL_IDS, WAN_T2V_MODEL_IDS, WAN_TOKENIZER_ID } from './model-ids.ts';
import type { WanInput } from './schema.ts';

/** Every part is required: the text encoder, the transformer and the VAE (encoder only for VACE). */
export function requiredModels(input: Pick<WanInput, 'model'>): string[] {
  if (input.model === 't2v') return [WAN_TOKENIZER_ID, ...Object.values(WAN_T2V_MODEL_IDS)];
  return [WAN_TOKENIZER_ID, ...Object.values(WAN_MODEL_IDS)];
}
