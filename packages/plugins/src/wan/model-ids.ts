// Catalog ids of the Wan parts (docs/models/wan.md §1.2, §9). Two sets run the same pipeline: the
// VACE 1.3B set, exported by the user with tools/export-wan (reference-to-video and text-to-video),
// and TensorStack's public T2V 1.3B export (text-to-video, loaded as published, §9.1).

export const WAN_MODEL_IDS = {
  transformer: 'wan2.1_vace_1.3b',
  textEncoder: 'wan2.1_umt5_xxl',
  vaeEncoder: 'wan2.1_vae_encoder',
  vaeDecoderFirst: 'wan2.1_vae_decoder_first',
  vaeDecoder: 'wan2.1_vae_decoder',
} as const;

export const WAN_T2V_MODEL_IDS = {
  transformer: 'wan2.1_t2v_1.3b',
  textEncoder: 'wan2.1_t2v_umt5_xxl',
  vaeDecoder: 'wan2.1_t2v_vae_decoder',
} as const;

/** google/umt5-xxl's tokenizer.json, shared by both sets (docs/models/wan.md §3.3). */
export const WAN_TOKENIZER_ID = 'umt5_xxl_tokenizer';
