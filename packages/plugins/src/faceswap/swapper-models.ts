// The 256/512-px swappers and the embedding converters ghost and SimSwap need (FaceFusion's face
// swapper set, docs/models/face.md §5.6, §9.1). Each swapper's `preprocess` is its crop: size,
// template, mean/std as FaceFusion's `create_static_model_set` gives them; swapper.ts says per family
// how the output is read and how the `source` feed is made. Spread into FACESWAP_MODEL_SET (./models.ts).
import {
  defineModel,
  fp32Variant,
  type ModelLicence,
  OPEN_LICENCES,
  type Preprocess,
} from '@visage/inference/models';
import { facefusionUrls } from '../model-sources.ts';
import { CONVERTER_MODELS, type SwapperModel } from './model-ids.ts';

/** FaceFusion's own licence for HyperSwap (its metadata says "ResearchRAIL"): research use only. */
export const RESEARCH_RAIL_LICENCE: ModelLicence = {
  name: 'ResearchRAIL',
  commercialUse: false,
  url: 'https://huggingface.co/facefusion',
};

export const SIMSWAP_LICENCE: ModelLicence = {
  name: 'SimSwap (non-commercial)',
  commercialUse: false,
  url: 'https://github.com/neuralchen/SimSwap/blob/main/LICENSE',
};

/**
 * CrossFace, FaceFusion's embedding converters: FaceFusion's metadata gives the weights no licence;
 * this is the licence of their training code (facefusion-labs crossface/LICENSE.md), an OpenRAIL
 * (use-based restrictions, commercial use allowed).
 */
export const CROSSFACE_LICENCE: ModelLicence = {
  name: 'OpenRAIL-MS',
  commercialUse: true,
  url: 'https://github.com/facefusion/facefusion-labs/blob/master/crossface/LICENSE.md',
};

const HALF = { mean: 0.5, std: 0.5 } as const;
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
const UNIT = { mean: 0, std: 1 } as const;

/** RGB x/255, then (· − mean)/std, NCHW: FaceFusion's `prepare_crop_frame` for every swapper. */
function crop(
  size: number,
  template: NonNullable<Preprocess['template']>,
  { mean, std }: { mean: Preprocess['normalize']['mean']; std: Preprocess['normalize']['std'] },
) {
  return {
    size,
    layout: 'nchw',
    normalize: { channelOrder: 'rgb', scale: 1 / 255, mean, std },
    template,
  } as const satisfies Preprocess;
}

const NO_CHECKSUM = 'No source publishes a checksum of this file: the first download is hashed and reported.';

function facefusionSwapper(
  id: SwapperModel,
  title: string,
  tag: string,
  licence: ModelLicence,
  preprocess: Preprocess,
) {
  return defineModel({
    id,
    title,
    plugin: 'faceswap',
    licence,
    variants: [fp32Variant(`${id}.onnx`, facefusionUrls(tag, `${id}.onnx`), null, null)],
    note: NO_CHECKSUM,
    preprocess,
  });
}

/**
 * HyperSwap: FaceFusion marks it fp16. Its export wraps the half-precision model in casts, so the
 * tensors it takes and gives are float32 (docs/models/face.md §5.6).
 */
function hyperswap(id: SwapperModel, title: string, sha256: string | null, bytes: number | null) {
  return defineModel({
    id,
    title,
    plugin: 'faceswap',
    licence: RESEARCH_RAIL_LICENCE,
    variants: [
      {
        precision: 'fp16',
        file: `${id}.onnx`,
        urls: facefusionUrls('models-3.3.0', `${id}.onnx`),
        sha256,
        bytes,
      },
    ],
    ...(sha256 ? {} : { note: NO_CHECKSUM }),
    preprocess: crop(256, 'arcface_128', HALF),
  });
}

const GHOST_CROP = crop(256, 'arcface_112_v1', HALF);

function converter(id: string, title: string) {
  return defineModel({
    id,
    title,
    plugin: 'faceswap',
    licence: CROSSFACE_LICENCE,
    variants: [fp32Variant(`${id}.onnx`, facefusionUrls('models-3.4.0', `${id}.onnx`), null, null)],
    note: NO_CHECKSUM,
  });
}

export const SWAPPER_MODEL_SET = {
  hyperswap_1a_256: hyperswap(
    'hyperswap_1a_256',
    'HyperSwap 1a 256×256 face swapper (FaceFusion)',
    'c0e98a8a03a238f461ed3d2570e426b49f46745ee400854a60dceeb70c246add', // 3P registry
    402_742_682,
  ),
  hyperswap_1b_256: hyperswap(
    'hyperswap_1b_256',
    'HyperSwap 1b 256×256 face swapper (FaceFusion)',
    null,
    null,
  ),
  hyperswap_1c_256: hyperswap(
    'hyperswap_1c_256',
    'HyperSwap 1c 256×256 face swapper (FaceFusion)',
    null,
    null,
  ),
  ghost_1_256: facefusionSwapper(
    'ghost_1_256',
    'GHOST 1-block U-Net 256×256 face swapper (ai-forever)',
    'models-3.0.0',
    OPEN_LICENCES.apache2,
    GHOST_CROP,
  ),
  ghost_2_256: facefusionSwapper(
    'ghost_2_256',
    'GHOST 2-block U-Net 256×256 face swapper (ai-forever)',
    'models-3.0.0',
    OPEN_LICENCES.apache2,
    GHOST_CROP,
  ),
  ghost_3_256: facefusionSwapper(
    'ghost_3_256',
    'GHOST 3-block U-Net 256×256 face swapper (ai-forever)',
    'models-3.0.0',
    OPEN_LICENCES.apache2,
    GHOST_CROP,
  ),
  simswap_256: facefusionSwapper(
    'simswap_256',
    'SimSwap 256×256 face swapper (neuralchen)',
    'models-3.0.0',
    SIMSWAP_LICENCE,
    crop(256, 'arcface_112_v1', IMAGENET),
  ),
  simswap_unofficial_512: facefusionSwapper(
    'simswap_unofficial_512',
    'SimSwap 512×512 face swapper (unofficial weights)',
    'models-3.0.0',
    SIMSWAP_LICENCE,
    crop(512, 'arcface_112_v1', UNIT),
  ),
  crossface_ghost: converter(
    CONVERTER_MODELS.ghost,
    'CrossFace embedding converter ArcFace → GHOST (FaceFusion)',
  ),
  crossface_simswap: converter(
    CONVERTER_MODELS.simswap,
    'CrossFace embedding converter ArcFace → SimSwap (FaceFusion)',
  ),
};
