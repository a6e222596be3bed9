// The face swap's models, declared next to the code that runs them (recognize.ts, swap.ts, restore.ts,
// masks.ts); the detectors and landmarks it shares with LivePortrait are in ../face/models.ts. Facts and
// sources: docs/models/face.md §1.4, §4.2, §4.4, §5, §6.1, §7.2–7.3, §9.1.
import { defineModel, fp32Variant, OPEN_LICENCES } from '@visage/inference/models';
import { INSIGHTFACE_LICENCE } from '../face/models.ts';
import { facefusionUrls } from '../model-sources.ts';
import { OCCLUDER_MODEL, PARSER_MODEL, RECOGNIZER_MODEL, SWAPPER_MODEL } from './model-ids.ts';
import { RESTORER_MODEL_SET } from './restorer-models.ts';
import { SWAPPER_MODEL_SET } from './swapper-models.ts';

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
  // HyperSwap, GHOST, SimSwap and their embedding converters (./swapper-models.ts).
  ...SWAPPER_MODEL_SET,
  // The restorers (./restorer-models.ts): GFPGAN, CodeFormer, RestoreFormer++, GPEN-BFR.
  ...RESTORER_MODEL_SET,
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
