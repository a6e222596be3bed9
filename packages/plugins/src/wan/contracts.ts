// The ONNX contract of every Wan part the plugin loads (docs/models/wan.md §9.3): input and output
// names, element types and dimensions. Numbers are fixed sizes; strings are symbolic (they follow the
// video size, frame count or batch). The session is checked against these when it loads, the
// fixture models for tests are built from them, and tools/export-wan writes graphs that match.
//
// Two sets exist: the VACE set (exported by the user with tools/export-wan; reference-to-video and
// text-to-video) and the T2V set (TensorStack's public Wan 2.1 T2V 1.3B export, loaded as published).

export interface WanTensor {
  name: string;
  type: 'float32' | 'int64';
  dims: readonly (number | string)[];
}

export interface WanContract {
  inputs: readonly WanTensor[];
  outputs: readonly WanTensor[];
}

/** UMT5-XXL's sequence length and width (docs/models/wan.md §3.3–3.4). */
export const TEXT_TOKENS = 512;
export const TEXT_DIM = 4096;
/** Latent channels of Wan-VAE (§6.2) and of the VACE context: 32 frame-latent + 64 mask channels (§5.5). */
export const LATENT_CHANNELS = 16;
export const VACE_CHANNELS = 96;
/** RoPE: 64 rotation pairs per head (head_dim 128), split 22/21/21 over frame/row/column (§4.7). */
export const ROPE_PAIRS = 64;
/** Every causal conv of the decoder keeps a 2-frame cache; the decoder has 32 of them (§6.5). */
export const DECODER_CACHES = 32;

const f32 = (name: string, dims: WanTensor['dims']): WanTensor => ({ name, type: 'float32', dims });
const i64 = (name: string, dims: WanTensor['dims']): WanTensor => ({ name, type: 'int64', dims });

/** Cache slot i of the decoder: [1, C_i, 2, h_i, w_i]; C_i is fixed by the export, h_i/w_i follow the size. */
export const cacheIn = (i: number) => `cache_${i}`;
export const cacheOut = (i: number) => `cache_out_${i}`;
const caches = (name: (i: number) => string) =>
  Array.from({ length: DECODER_CACHES }, (_, i) =>
    f32(name(i), [1, `cache_${i}_channels`, 2, `cache_${i}_height`, `cache_${i}_width`]),
  );

/** The VACE set: what tools/export-wan writes. */
export const VACE_CONTRACTS = {
  textEncoder: {
    // With the attention mask; the rows past the prompt are zeroed by the plugin (§3.4).
    inputs: [i64('input_ids', [1, TEXT_TOKENS]), i64('attention_mask', [1, TEXT_TOKENS])],
    outputs: [f32('last_hidden_state', [1, TEXT_TOKENS, TEXT_DIM])],
  },
  transformer: {
    // batch is 1, or 2 when the export takes the conditional and unconditional passes in one call
    // (§7.7). timestep is 1000·σ (integer-valued, §7.3). The RoPE tables are computed by the plugin
    // for the patch grid (T × h/2 × w/2 tokens) and fed in, so the graph has no complex ops (§4.7, §9.2).
    inputs: [
      f32('latent', ['batch', LATENT_CHANNELS, 'frames', 'height', 'width']),
      f32('timestep', ['batch']),
      f32('context', ['batch', TEXT_TOKENS, TEXT_DIM]),
      f32('vace_context', ['batch', VACE_CHANNELS, 'frames', 'height', 'width']),
      f32('rope_cos', ['tokens', ROPE_PAIRS]),
      f32('rope_sin', ['tokens', ROPE_PAIRS]),
    ],
    outputs: [f32('velocity', ['batch', LATENT_CHANNELS, 'frames', 'height', 'width'])],
  },
  vaeEncoder: {
    // Pixels in [-1, 1]; F = 1 (a reference) or 4k + 1 (the control video). The output is the
    // posterior mean μ, not yet normalised: the plugin applies (μ − mean)/std (§6.2).
    inputs: [f32('video', [1, 3, 'frames', 'height', 'width'])],
    outputs: [f32('latent', [1, LATENT_CHANNELS, 'latent_frames', 'latent_height', 'latent_width'])],
  },
  vaeDecoderFirst: {
    // The first latent frame → one pixel frame, and the 32 caches in their padded steady-state form (§6.5).
    inputs: [f32('latent', [1, LATENT_CHANNELS, 1, 'height', 'width'])],
    outputs: [f32('frames', [1, 3, 1, 'video_height', 'video_width']), ...caches(cacheOut)],
  },
  vaeDecoder: {
    // Every later latent frame → four pixel frames; caches in, caches out. Input latents are
    // denormalised (z·std + mean) by the plugin; output pixels in [-1, 1] before clamping (§6.7).
    inputs: [f32('latent', [1, LATENT_CHANNELS, 1, 'height', 'width']), ...caches(cacheIn)],
    outputs: [f32('frames', [1, 3, 4, 'video_height', 'video_width']), ...caches(cacheOut)],
  },
} as const satisfies Record<string, WanContract>;

/**
 * TensorStack's public T2V 1.3B export (docs/models/wan.md §9.1), as published: the text encoder
 * takes no attention mask, the transformer has no VACE input and computes RoPE in the graph, and
 * the VAE decoder decodes the whole clip in one call (its frame loop was unrolled for 21 latent
 * frames at export, so only 81-frame videos decode).
 */
export const T2V_CONTRACTS = {
  textEncoder: {
    inputs: [i64('input_ids', ['batch_size', 'sequence_length'])],
    outputs: [f32('last_hidden_state', ['batch_size', 'sequence_length', TEXT_DIM])],
  },
  transformer: {
    inputs: [
      f32('hidden_states', [
        1,
        LATENT_CHANNELS,
        'transformer_sample_frames',
        'transformer_sample_height',
        'transformer_sample_width',
      ]),
      f32('timestep', [1]),
      f32('encoder_hidden_states', [1, 'transformer_hidden_sequence', TEXT_DIM]),
    ],
    outputs: [
      f32('out_sample', [
        1,
        LATENT_CHANNELS,
        'transformer_sample_frames',
        'transformer_sample_height',
        'transformer_sample_width',
      ]),
    ],
  },
  vaeDecoder: {
    inputs: [f32('latent_sample', [1, LATENT_CHANNELS, 'frames', 'height', 'width'])],
    outputs: [f32('sample', [1, 3, 'video_frames', 'video_height', 'video_width'])],
  },
} as const satisfies Record<string, WanContract>;
