// Catalog ids of the Wan 2.1 VACE parts (docs/architecture.md §10.2: the plugin is planned, its
// models are listed already so they can be exported and imported). No runtime code.

export const WAN_MODEL_IDS = {
  transformer: 'wan2.1_vace_1.3b',
  textEncoder: 'wan2.1_umt5_xxl',
  vaeEncoder: 'wan2.1_vae_encoder',
  vaeDecoder: 'wan2.1_vae_decoder',
} as const;
