// The portrait animation's models, declared next to the code that runs them (networks.ts,
// landmarks.ts); the detectors and 2d106det it shares with the face swap are in ../face/models.ts.
// Facts and sources: docs/models/liveportrait.md §2.1–2.4, §7.2.
//
// Neither LivePortrait nor FasterLivePortrait publishes checksums or sizes. VisoMaster downloads files
// of the same names (FasterLivePortrait's exports) from its own release and publishes their sha256
// (§2.4); whether its bytes equal FasterLivePortrait's Hugging Face files is unverified, so the URLs
// are VisoMaster's, matching the hashes. Sizes are recorded at the first download; the resident
// estimates are the PyTorch weight sizes of §2.1.
import { defineModel, fp32Variant, type ModelLicence, type ModelVariant } from '@visage/inference/models';
import { visomasterUrl } from '../model-sources.ts';
import { LP_MODELS } from './model-ids.ts';

const MB = 1_000_000;

const LIVEPORTRAIT_LICENCE: ModelLicence = {
  name: 'MIT (LivePortrait code and weights)',
  commercialUse: true,
  url: 'https://github.com/KwaiVGI/LivePortrait/blob/main/LICENSE',
};

/** A file of VisoMaster's release with its published sha256 and no size. */
const visomaster = (file: string, sha256: string): [ModelVariant] => [
  fp32Variant(file, visomasterUrl(file), sha256, null),
];

/** F and M: a 256² crop, RGB /255, no mean/std (§2.2). */
const NETWORK_INPUT = {
  size: 256,
  layout: 'nchw',
  normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0, std: 1 },
} as const;

export const LIVEPORTRAIT_MODEL_SET = {
  appearance: defineModel({
    id: LP_MODELS.appearance,
    title: 'LivePortrait appearance feature extractor (F)',
    plugin: 'liveportrait',
    licence: LIVEPORTRAIT_LICENCE,
    residentBytes: 3.3 * MB,
    variants: visomaster(
      'appearance_feature_extractor.onnx',
      'dbbbb44e4bba12302d7137bdee6a0f249b45fb6dd879509fd5baa27d70c40e32',
    ),
    preprocess: NETWORK_INPUT,
  }),
  motion: defineModel({
    id: LP_MODELS.motion,
    title: 'LivePortrait motion extractor (M)',
    plugin: 'liveportrait',
    licence: LIVEPORTRAIT_LICENCE,
    residentBytes: 108 * MB,
    variants: visomaster(
      'motion_extractor.onnx',
      '99d4b3c9dd3fd301910de9415a29560e38c0afaa702da51398281376cc36fdd3',
    ),
    preprocess: NETWORK_INPUT,
  }),
  warping: defineModel({
    id: LP_MODELS.warping,
    title: 'LivePortrait warping module + SPADE generator (W+G)',
    plugin: 'liveportrait',
    licence: LIVEPORTRAIT_LICENCE,
    residentBytes: 390 * MB,
    // 5-D GridSample: CoreML's resample is rank-4 only, so on a Mac it runs on the CPU. CUDA gained a
    // 5-D kernel (opsets 20 and 22) with onnxruntime PR 27201, merged February 2026; whether the pinned
    // onnxruntime-node 1.30.0 ships it, and whether this file's nodes are opset ≥ 20, is unverified on
    // a GPU here (docs/models/liveportrait.md §7.2, §13).
    providers: ['cuda', 'cpu'],
    // The non-"fix" file: plain ONNX GridSample (the "-fix" one needs FasterLivePortrait's TensorRT plugin).
    variants: visomaster(
      'warping_spade.onnx',
      'd6ee9af4352b47e88e0521eba6b774c48204afddc8d91c671a5f7b8a0dfb4971',
    ),
  }),
  stitching: defineModel({
    id: LP_MODELS.stitching,
    title: 'LivePortrait stitching MLP',
    plugin: 'liveportrait',
    licence: LIVEPORTRAIT_LICENCE,
    residentBytes: 1 * MB,
    variants: visomaster(
      'stitching.onnx',
      '43598e9747a19f4c55d8e1604fb7d7fa70ab22377d129cb7d1fe38c9a737cc79',
    ),
  }),
  eye: defineModel({
    id: LP_MODELS.eye,
    title: 'LivePortrait eye retargeting MLP',
    plugin: 'liveportrait',
    licence: LIVEPORTRAIT_LICENCE,
    residentBytes: 1 * MB,
    variants: visomaster(
      'stitching_eye.onnx',
      '251004fe4a994c57c8cd9f2c50f3d89feb289fb42e6bc3af74470a3a9fa7d83b',
    ),
  }),
  lip: defineModel({
    id: LP_MODELS.lip,
    title: 'LivePortrait lip retargeting MLP',
    plugin: 'liveportrait',
    licence: LIVEPORTRAIT_LICENCE,
    residentBytes: 1 * MB,
    variants: visomaster(
      'stitching_lip.onnx',
      '1ca793eac4b0dc5464f1716cdaa62e595c2c2272c9971a444e39c164578dc34b',
    ),
  }),
  landmark: defineModel({
    id: LP_MODELS.landmark,
    title: 'LivePortrait 203-point landmarks (eye/lip ratios)',
    plugin: 'liveportrait',
    licence: LIVEPORTRAIT_LICENCE,
    residentBytes: 115 * MB,
    // LivePortrait's Hugging Face copy (liveportrait/landmark.onnx) publishes no hash, so it is not a
    // verified mirror of these bytes.
    variants: visomaster('landmark.onnx', '31d22a5041326c31f19b78886939a634a5aedcaa5ab8b9b951a1167595d147db'),
    // A 224² crop of LP's rotated rectangle (§2.3), RGB /255.
    preprocess: {
      size: 224,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0, std: 1 },
    },
  }),
};
