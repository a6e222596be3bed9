// The UMT5-XXL tokenizer file the Wan text encoder's prompts go through (docs/models/wan.md §3.3). Not an
// ONNX model: the catalog schema has no file kind, so it is one "fp32" variant like the other
// single-file entries.
import { defineModel, fp32Variant } from '@visage/inference/models';
import { WAN_TOKENIZER_ID } from './model-ids.ts';

export const WAN_TOKENIZER_MODEL = defineModel({
  id: WAN_TOKENIZER_ID,
  title: 'UMT5-XXL tokenizer (google/umt5-xxl tokenizer.json) for the Wan 2.1 text encoder',
  plugin: 'wan',
  licence: {
    name: 'Apache-2.0 (google/umt5-xxl)',
    commercialUse: true,
    url: 'https://huggingface.co/google/umt5-xxl',
  },
  // No source publishes the checksum and size of google/umt5-xxl's own file (docs/models/wan.md §3.3).
  variants: [
    fp32Variant(
      'tokenizer.json',
      ['https://huggingface.co/google/umt5-xxl/resolve/main/tokenizer.json'],
      null,
      null,
    ),
  ],
});
