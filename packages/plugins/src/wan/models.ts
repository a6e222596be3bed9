// The Wan 2.1 VACE 1.3B reference-to-video parts (docs/models/wan.md §2.1, §3–6, §9, §10), for the
// planned `wan` plugin (docs/architecture.md §10.2). No public ONNX exists for these parts as such
// (TensorStack's T2V-1.3B export has no VACE blocks and no attention mask): each is export-required.
import { defineModel, fp32Variant, type ModelLicence, type ModelVariant } from '@visage/inference/models';
import { WAN_MODEL_IDS, WAN_T2V_MODEL_IDS } from './model-ids.ts';
import { WAN_TOKENIZER_MODEL } from './tokenizer-model.ts';

const MB = 1_000_000;

const WAN_LICENCE: ModelLicence = {
  name: 'Apache-2.0 (Wan 2.1)',
  commercialUse: true,
  url: 'https://github.com/Wan-Video/Wan2.1/blob/main/LICENSE.txt',
};

const EXPORT_NOTE =
  'No public ONNX file exists for this Wan 2.1 VACE part: export it once with tools/export-wan (see its README and ' +
  'docs/models/wan.md §9.6 in the Visage repository), then import the folder it wrote for this part ' +
  '(the .onnx and its .data file) with `pnpm visage models import <id> <folder>`.';

/**
 * TensorStack's public export of Wan 2.1 T2V 1.3B (docs/models/wan.md §9.1): OnnxStack's converter
 * writes each part as `<part>/model.onnx`, the large ones with their weights in `model.onnx.data`
 * beside it (the name the graph records, so it is kept). Published without checksums or sizes.
 */
const T2V_BASE = 'https://huggingface.co/TensorStack/Wan2.1-T2V-1.3B-onnx/resolve/main';
const t2vPart = (part: string, file: string, withData: boolean): ModelVariant => ({
  ...fp32Variant(file, [`${T2V_BASE}/${part}/model.onnx`], null, null),
  ...(withData
    ? {
        externalData: [
          {
            file: 'model.onnx.data',
            urls: [`${T2V_BASE}/${part}/model.onnx.data`],
            sha256: null,
            bytes: null,
          },
        ],
      }
    : {}),
});
const T2V_NOTE =
  "TensorStack's public ONNX export of Wan 2.1 T2V 1.3B, loaded as published: text to video only (no reference images).";

/** The fp32 file tools/export-wan writes for every part (the VAE graphs are written in fp32 only). */
const exportedFp32 = (name: string): [ModelVariant] => [fp32Variant(`${name}_fp32.onnx`, [], null, null)];

/** fp32 and fp16 files the user exports (transformer and text encoder); fp16 takes half the memory. */
const exported = (name: string, residentFp16: number): [ModelVariant, ModelVariant] => [
  fp32Variant(`${name}_fp32.onnx`, [], null, null),
  {
    precision: 'fp16',
    file: `${name}_fp16.onnx`,
    urls: [],
    sha256: null,
    bytes: null,
    residentBytes: residentFp16,
  },
];

export const WAN_MODEL_SET = {
  tokenizer: WAN_TOKENIZER_MODEL,
  transformer: defineModel({
    id: WAN_MODEL_IDS.transformer,
    title: 'Wan 2.1 VACE 1.3B diffusion transformer',
    plugin: 'wan',
    licence: WAN_LICENCE,
    availability: 'export-required',
    note: EXPORT_NOTE,
    residentBytes: 8_616 * MB, // 2.15 G parameters: T2V-1.3B plus the VACE blocks (docs/models/wan.md §8.2)
    variants: exported(WAN_MODEL_IDS.transformer, 4_308 * MB),
  }),
  textEncoder: defineModel({
    id: WAN_MODEL_IDS.textEncoder,
    title: 'UMT5-XXL text encoder for Wan 2.1 (with attention mask)',
    plugin: 'wan',
    licence: WAN_LICENCE, // google/umt5-xxl is Apache-2.0 too
    availability: 'export-required',
    note: EXPORT_NOTE,
    residentBytes: 22_800 * MB, // 11.4 GB in bf16 → about twice that in fp32
    variants: exported(WAN_MODEL_IDS.textEncoder, 11_400 * MB),
  }),
  vaeEncoder: defineModel({
    id: WAN_MODEL_IDS.vaeEncoder,
    title: 'Wan 2.1 VAE encoder (reference images, VACE context)',
    plugin: 'wan',
    licence: WAN_LICENCE,
    availability: 'export-required',
    note: EXPORT_NOTE,
    residentBytes: 508 * MB,
    variants: exportedFp32(WAN_MODEL_IDS.vaeEncoder),
  }),
  vaeDecoderFirst: defineModel({
    id: WAN_MODEL_IDS.vaeDecoderFirst,
    title: 'Wan 2.1 VAE decoder, first latent frame (emits the 32 cached states)',
    plugin: 'wan',
    licence: WAN_LICENCE,
    availability: 'export-required',
    note: EXPORT_NOTE,
    // The decoder's weights; its caches are outputs here (held by the plugin, not the session).
    residentBytes: 508 * MB,
    variants: exportedFp32(WAN_MODEL_IDS.vaeDecoderFirst),
  }),
  vaeDecoder: defineModel({
    id: WAN_MODEL_IDS.vaeDecoder,
    title: 'Wan 2.1 VAE decoder (one latent frame per call, 32 cached states)',
    plugin: 'wan',
    licence: WAN_LICENCE,
    availability: 'export-required',
    note: EXPORT_NOTE,
    // Weights 508 MB fp32, plus ≈3.8 GB fp32 (1.9 GB fp16) of cache state at 480×832.
    residentBytes: 4_300 * MB,
    variants: exportedFp32(WAN_MODEL_IDS.vaeDecoder),
  }),
};

/** The public T2V 1.3B set (text-to-video without references; docs/models/wan.md §9.1). */
export const WAN_T2V_MODEL_SET = {
  transformer: defineModel({
    id: WAN_T2V_MODEL_IDS.transformer,
    title: 'Wan 2.1 T2V 1.3B diffusion transformer (TensorStack export)',
    plugin: 'wan',
    licence: WAN_LICENCE,
    note: T2V_NOTE,
    residentBytes: 5_680 * MB, // the 1.3B transformer in fp32 (docs/models/wan.md §8.2)
    variants: [t2vPart('transformer', `${WAN_T2V_MODEL_IDS.transformer}.onnx`, true)],
  }),
  textEncoder: defineModel({
    id: WAN_T2V_MODEL_IDS.textEncoder,
    title: 'UMT5-XXL text encoder (TensorStack export; no attention mask)',
    plugin: 'wan',
    licence: WAN_LICENCE,
    note: `${T2V_NOTE} Its text encoder takes no attention mask, so the padding takes part in the prompt's encoding (docs/models/wan.md §3.4).`,
    residentBytes: 11_400 * MB, // stored in fp16 by the converter (docs/models/wan.md §9.1)
    variants: [t2vPart('text_encoder', `${WAN_T2V_MODEL_IDS.textEncoder}.onnx`, true)],
  }),
  vaeDecoder: defineModel({
    id: WAN_T2V_MODEL_IDS.vaeDecoder,
    title: 'Wan 2.1 VAE decoder, whole clip (TensorStack export; 81 frames)',
    plugin: 'wan',
    licence: WAN_LICENCE,
    note: `${T2V_NOTE} Its decoder was traced for 21 latent frames, so it decodes 81-frame videos only.`,
    // 508 MB of weights plus the activations of a whole 81-frame clip (inferred, docs/models/wan.md §8.2).
    residentBytes: 6_000 * MB,
    variants: [t2vPart('vae_decoder', `${WAN_T2V_MODEL_IDS.vaeDecoder}.onnx`, false)],
  }),
};
