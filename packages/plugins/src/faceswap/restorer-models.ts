// The face restorers (FaceFusion's face enhancer set, docs/models/face.md §6, §9.1), run by restore.ts:
// each entry's `preprocess` gives its crop size and template, so restoreFace takes both from the entry
// whose id is the session's. Spread into FACESWAP_MODEL_SET (./models.ts).
import { defineModel, fp32Variant, type ModelLicence, OPEN_LICENCES } from '@visage/inference/models';
import { facefusionUrls, visomasterUrl } from '../model-sources.ts';
import type { RestoreModel } from './model-ids.ts';

const MB = 1_000_000;

export const CODEFORMER_LICENCE: ModelLicence = {
  name: 'S-Lab License 1.0',
  commercialUse: false,
  url: 'https://github.com/sczhou/CodeFormer/blob/master/LICENSE',
};

/** GPEN's README: "© Alibaba, 2021. For academic and non-commercial use only." (no LICENSE file). */
export const GPEN_LICENCE: ModelLicence = {
  name: 'GPEN (academic and non-commercial use only)',
  commercialUse: false,
  url: 'https://github.com/yangxy/GPEN#license',
};

/** GFPGAN and CodeFormer: 512² on the FFHQ template, RGB in [−1, 1]; the output in the same range (§6.1). */
export const RESTORER_INPUT = {
  size: 512,
  layout: 'nchw',
  normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
  template: 'ffhq_512',
} as const;

// FaceFusion's face_enhancer/core.py: the same normalisation for all; GPEN-BFR 256 aligns on
// arcface_128 (at 256²), the others on ffhq_512 at their own size (§6.3).
const GPEN_256_INPUT = { ...RESTORER_INPUT, size: 256, template: 'arcface_128' } as const;
const GPEN_1024_INPUT = { ...RESTORER_INPUT, size: 1024 } as const;
const GPEN_2048_INPUT = { ...RESTORER_INPUT, size: 2048 } as const;

/**
 * FaceFusion's gfpgan_1.2/1.3 and restoreformer_plus_plus: no source publishes their sha256 or size,
 * so every download is hashed and its size recorded (§9.1).
 */
const facefusionRestorer = (file: string) =>
  fp32Variant(file, facefusionUrls('models-3.0.0', file), null, null);

export const RESTORER_MODEL_SET = {
  gfpgan_1_4: defineModel({
    id: 'gfpgan_1.4' satisfies RestoreModel,
    title: 'GFPGAN 1.4 face restoration (512²)',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.apache2,
    variants: [
      // FaceFusion's gfpgan_1.4.onnx has no published sha256; VisoMaster's GFPGANv1.4.onnx has one, and
      // whether the two are the same bytes is unknown (docs/models/face.md §9.2). So the URL is
      // VisoMaster's, matching its hash; it has the same tensor contract (input/output [1,3,512,512]
      // in [−1, 1], VisoMaster face_restorers.py). Its size is recorded at the first download.
      fp32Variant(
        'GFPGANv1.4.onnx',
        visomasterUrl('GFPGANv1.4.onnx'),
        '6548e54cbcf248af385248f0c1193b359c37a0f98b836282b09cf48af4fd2b73',
        null,
      ),
    ],
    preprocess: RESTORER_INPUT,
  }),
  gfpgan_1_3: defineModel({
    id: 'gfpgan_1.3' satisfies RestoreModel,
    title: 'GFPGAN 1.3 face restoration (512²)',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.apache2,
    variants: [facefusionRestorer('gfpgan_1.3.onnx')],
    note: 'No source publishes a checksum of this file: the first download is hashed and reported.',
    preprocess: RESTORER_INPUT,
  }),
  gfpgan_1_2: defineModel({
    id: 'gfpgan_1.2' satisfies RestoreModel,
    title: 'GFPGAN 1.2 face restoration (512²)',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.apache2,
    variants: [facefusionRestorer('gfpgan_1.2.onnx')],
    note: 'No source publishes a checksum of this file: the first download is hashed and reported.',
    preprocess: RESTORER_INPUT,
  }),
  codeformer: defineModel({
    id: 'codeformer' satisfies RestoreModel,
    title: 'CodeFormer face restoration (512²)',
    plugin: 'faceswap',
    licence: CODEFORMER_LICENCE,
    residentBytes: 377 * MB, // the file is "≈377 MB"; the exact size is not published (recorded at download)
    variants: [
      fp32Variant(
        'codeformer.onnx',
        facefusionUrls('models-3.0.0', 'codeformer.onnx'),
        '21710e7ab61c82683576c428e9c1b6fe1ed419586b7b39e394c3449c294b550f', // 3P
        null,
      ),
    ],
    preprocess: RESTORER_INPUT,
  }),
  restoreformer_plus_plus: defineModel({
    id: 'restoreformer_plus_plus' satisfies RestoreModel,
    title: 'RestoreFormer++ face restoration (512²)',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.apache2,
    variants: [
      facefusionRestorer('restoreformer_plus_plus.onnx'),
      // VisoMaster's fp16 export (sha256 from its models_data.py). Its I/O stays float32 (VisoMaster
      // binds float32 buffers) and it has many outputs: the image is the one named "2359"
      // (face_restorers.py run_RestoreFormerPlusPlus), which restore.ts reads by that name.
      {
        precision: 'fp16',
        file: 'RestoreFormerPlusPlus.fp16.onnx',
        urls: visomasterUrl('RestoreFormerPlusPlus.fp16.onnx'),
        sha256: 'e5df99ed4f501be2009ed8e708f407dd26ac400c55a43a01d8c8c157bc475b3f',
        bytes: null,
      },
    ],
    note: 'No source publishes a checksum of the fp32 file: the first download is hashed and reported.',
    preprocess: RESTORER_INPUT,
  }),
  // GPEN-BFR: VisoMaster's files, whose sha256 its models_data.py publishes (FaceFusion's publish none,
  // and its gpen_bfr_512 is another file, 284 340 240 B, §9.2). Same tensor contract: `input` →
  // `output`, [1,3,N,N] in [−1, 1] (VisoMaster face_restorers.py run_GPEN_*).
  gpen_bfr_256: defineModel({
    id: 'gpen_bfr_256' satisfies RestoreModel,
    title: 'GPEN-BFR 256 face restoration (256²)',
    plugin: 'faceswap',
    licence: GPEN_LICENCE,
    variants: [
      fp32Variant(
        'GPEN-BFR-256.onnx',
        visomasterUrl('GPEN-BFR-256.onnx'),
        'aa5bd3ab238640a378c59e4a560f7a7150627944cf2129e6311ae4720e833271',
        null,
      ),
    ],
    preprocess: GPEN_256_INPUT,
  }),
  gpen_bfr_512: defineModel({
    id: 'gpen_bfr_512' satisfies RestoreModel,
    title: 'GPEN-BFR 512 face restoration (512²)',
    plugin: 'faceswap',
    licence: GPEN_LICENCE,
    variants: [
      fp32Variant(
        'GPEN-BFR-512.onnx',
        visomasterUrl('GPEN-BFR-512.onnx'),
        '0960f836488735444d508b588e44fb5dfd19c68fde9163ad7878aa24d1d5115e',
        284_250_449, // 3P: Deep-Live-Cam's Hugging Face copy, the same sha256
      ),
    ],
    preprocess: RESTORER_INPUT,
  }),
  gpen_bfr_1024: defineModel({
    id: 'gpen_bfr_1024' satisfies RestoreModel,
    title: 'GPEN-BFR 1024 face restoration (1024²)',
    plugin: 'faceswap',
    licence: GPEN_LICENCE,
    variants: [
      fp32Variant(
        'GPEN-BFR-1024.onnx',
        visomasterUrl('GPEN-BFR-1024.onnx'),
        'cec8892093d7b99828acde97bf231fb0964d3fb11b43f3b0951e36ef1e192a3e',
        null,
      ),
    ],
    preprocess: GPEN_1024_INPUT,
  }),
  gpen_bfr_2048: defineModel({
    id: 'gpen_bfr_2048' satisfies RestoreModel,
    title: 'GPEN-BFR 2048 face restoration (2048²)',
    plugin: 'faceswap',
    licence: GPEN_LICENCE,
    variants: [
      fp32Variant(
        'GPEN-BFR-2048.onnx',
        visomasterUrl('GPEN-BFR-2048.onnx'),
        'd0229ff43f979c360bd19daa9cd0ce893722d59f41a41822b9223ebbe4f89b3e',
        null,
      ),
    ],
    preprocess: GPEN_2048_INPUT,
  }),
};
