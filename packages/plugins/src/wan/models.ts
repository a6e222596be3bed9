// The Wan 2.1 VACE 1.3B reference-to-video parts (docs/models/wan.md §2.1, §3–6, §9, §10), for the
// planned `wan` plugin (docs/architecture.md §10.2). No public ONNX exists for these parts as such
// (TensorStack's T2V-1.3B export has no VACE blocks and no attention mask): each is export-required.
import { defineModel, fp32Variant, type ModelLicence, type ModelVariant } from '@visage/inference/models';
import { WAN_MODEL_IDS } from './model-ids.ts';

const MB = 1_000_000;

const WAN_LICENCE: ModelLicence = {
  name: 'Apache-2.0 (Wan 2.1)',
  commercialUse: true,
  url: 'https://github.com/Wan-Video/Wan2.1/blob/main/LICENSE.txt',
};

const EXPORT_NOTE =
  'No public ONNX file exists for this Wan 2.1 VACE part (see docs/models/wan.md §9 in the Visage repository): export it ' +
  '(opset ≥ 20, external data in one file beside the .onnx) and import it with ' +
  '`pnpm visage models import <id> <file>`.';

/** fp32 and fp16 files the user exports; fp16 takes half the memory. */
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
    variants: exported(WAN_MODEL_IDS.vaeEncoder, 254 * MB),
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
    variants: exported(WAN_MODEL_IDS.vaeDecoder, 2_150 * MB),
  }),
};
