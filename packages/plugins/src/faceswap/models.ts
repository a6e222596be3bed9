// The face swap's models, declared next to the code that runs them (recognize.ts, swap.ts, restore.ts,
// masks.ts); the detectors and landmarks it shares with LivePortrait are in ../face/models.ts. Facts and
// sources: docs/models/face.md §1.4, §4.2, §4.4, §5, §6.1, §7.2–7.3, §9.1.
import { defineModel, fp32Variant, type ModelLicence, OPEN_LICENCES } from '@visage/inference/models';
import { INSIGHTFACE_LICENCE } from '../face/models.ts';
import { facefusionUrls, visomasterUrl } from '../model-sources.ts';
import {
  OCCLUDER_MODEL,
  PARSER_MODEL,
  RECOGNIZER_MODEL,
  RESTORER_MODELS,
  SWAPPER_MODEL,
} from './model-ids.ts';

const MB = 1_000_000;

const CODEFORMER_LICENCE: ModelLicence = {
  name: 'S-Lab License 1.0',
  commercialUse: false,
  url: 'https://github.com/sczhou/CodeFormer/blob/master/LICENSE',
};

/** GFPGAN and CodeFormer: 512² on the FFHQ template, RGB in [−1, 1]; the output in the same range (§6.1). */
const RESTORER_INPUT = {
  size: 512,
  layout: 'nchw',
  normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
  template: 'ffhq_512',
} as const;

export const FACESWAP_MODEL_SET = {
  recognizer: defineModel({
    id: RECOGNIZER_MODEL,
    title: 'ArcFace w600k_r50 face recognition (FaceFusion export)',
    plugin: 'faceswap',
    licence: INSIGHTFACE_LICENCE,
    variants: [
      fp32Variant(
        'arcface_w600k_r50.onnx',
        facefusionUrls('models-3.0.0', 'arcface_w600k_r50.onnx'),
        'f1f79dc3b0b79a69f94799af1fffebff09fbd78fd96a275fd8f0cbbea23270d1', // 3P registry
        174_388_474,
      ),
    ],
    note:
      "Same math as buffalo_l's w600k_r50.onnx, but not the same bytes; buffalo_l's file " +
      '(sha256 4c06341c…) is not accepted for this id.',
    // insightface's ArcFaceONNX preprocessing (§4.4).
    preprocess: {
      size: 112,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1, mean: 127.5, std: 127.5 },
      template: 'arcface_112',
    },
  }),
  swapper: defineModel({
    id: SWAPPER_MODEL,
    title: 'InsightFace inswapper 128×128 face swapper',
    plugin: 'faceswap',
    licence: INSIGHTFACE_LICENCE,
    variants: [
      // The checksum is ReActor's, so its copy comes first. FaceFusion's copies are left out: a
      // third-party listing gives them another sha256, so they would always fail verification.
      fp32Variant(
        'inswapper_128.onnx',
        [
          'https://huggingface.co/datasets/Gourieff/ReActor/resolve/main/models/inswapper_128.onnx',
          'https://huggingface.co/hacksider/deep-live-cam/resolve/main/inswapper_128.onnx',
        ],
        'e4a3f08c753cb72d04e10aa0f7dbe3deebbf39567d4ead6dce08e98aa49e16af',
        554_253_681,
      ),
      // Two different fp16 files exist under this name; this is FaceFusion's (3P registry). The
      // hacksider copy (277 680 638 B, sha256 6d51a927…) differs and is not a mirror of it.
      {
        precision: 'fp16',
        file: 'inswapper_128_fp16.onnx',
        urls: facefusionUrls('models-3.0.0', 'inswapper_128_fp16.onnx'),
        sha256: '98fae14454ae714f31b4fe43a8907661c6b496ccbc5cb62c7219d8196d92bf21',
        bytes: 277_680_829,
      },
    ],
    note: 'Upstream withdrew the download; these are community copies of the original file.',
    // The `target` input; the output is RGB 0..1 as well (§5.2).
    preprocess: {
      size: 128,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0, std: 1 },
      template: 'arcface_128',
    },
  }),
  gfpgan: defineModel({
    id: RESTORER_MODELS.gfpgan,
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
  codeformer: defineModel({
    id: RESTORER_MODELS.codeformer,
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
  parser: defineModel({
    id: PARSER_MODEL,
    title: 'BiSeNet ResNet-34 face parser (region mask)',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.mit,
    variants: [
      fp32Variant(
        'bisenet_resnet_34.onnx',
        facefusionUrls('models-3.0.0', 'bisenet_resnet_34.onnx'),
        '4a0b8c958a3c938913bd06a8365dbb3c8761afba6ecbf0d14b3b1f77eb230c96', // 3P registry
        93_632_546,
      ),
    ],
    // The swapped crop resized to 512², ImageNet mean/std (§7.3).
    preprocess: {
      size: 512,
      layout: 'nchw',
      normalize: {
        channelOrder: 'rgb',
        scale: 1 / 255,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      },
    },
  }),
  occluder: defineModel({
    id: OCCLUDER_MODEL,
    title: 'XSeg face occluder (occlusion mask, DeepFaceLab)',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.gpl3,
    // No source publishes a sha256 or size of FaceFusion's xseg_1. VisoMaster's XSeg_model.onnx has a
    // sha256 but another tensor contract (NCHW input, inverted mask; docs/models/face.md §9.2), so it
    // cannot stand in for this file; every download is hashed and its size recorded.
    variants: [fp32Variant('xseg_1.onnx', facefusionUrls('models-3.1.0', 'xseg_1.onnx'), null, null)],
    // The target crop resized to 256², NHWC (§7.2).
    preprocess: {
      size: 256,
      layout: 'nhwc',
      normalize: { channelOrder: 'bgr', scale: 1 / 255, mean: 0, std: 1 },
    },
  }),
};
