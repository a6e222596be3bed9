// The model sets the plugins declare (src/*/models.ts) and the catalog assembled from them: every entry
// valid, licences recorded, checksums and sizes where they must be, the ids the descriptors name all in
// the catalog, and each model's pre-processing equal to the reference values of docs/models/*.md (the
// expected numbers below are copied from those documents, not from the entries).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createImage } from '@visage/inference';
import { findModel, findVariant, modelEntrySchema } from '@visage/inference/models';
import { describe, expect, it } from 'vitest';
import { MODEL_SETS, modelCatalog } from '../src/catalog.ts';
import {
  AUTO_DETECTORS,
  DETECTOR_MODELS,
  LANDMARKER_68_MODEL,
  LANDMARKER_106_MODEL,
} from '../src/face/model-ids.ts';
import { alignForModel, type FivePoints } from '../src/faceswap/align.ts';
import {
  CONVERTER_MODELS,
  OCCLUDER_MODEL,
  PARSER_MODEL,
  RECOGNIZER_MODEL,
  RESTORER_MODELS,
  SWAPPER_MODEL,
  SWAPPER_MODELS,
} from '../src/faceswap/model-ids.ts';
import { LP_MODELS } from '../src/liveportrait/model-ids.ts';
import { WAN_MODEL_IDS, WAN_T2V_MODEL_IDS } from '../src/wan/model-ids.ts';

const catalog = modelCatalog();
const entry = (id: string) => findModel(id, catalog);
const variants = catalog.flatMap((e) => e.variants.map((variant) => ({ entry: e, variant })));

describe('the assembled catalog', () => {
  it('should hold every registered entry once, each valid by the schema', () => {
    const declared = MODEL_SETS.flatMap((set) => Object.values(set));
    expect(catalog.map((e) => e.id)).toEqual(declared.map((e) => e.id));
    for (const e of declared) expect(modelEntrySchema.safeParse(e).success, e.id).toBe(true);
  });

  it('should contain every id the plugins name (model-ids.ts, needs.ts)', () => {
    const named = [
      ...Object.values(DETECTOR_MODELS),
      ...AUTO_DETECTORS.map((kind) => DETECTOR_MODELS[kind]),
      LANDMARKER_68_MODEL,
      LANDMARKER_106_MODEL,
      RECOGNIZER_MODEL,
      SWAPPER_MODEL,
      ...SWAPPER_MODELS,
      ...Object.values(CONVERTER_MODELS),
      OCCLUDER_MODEL,
      PARSER_MODEL,
      ...RESTORER_MODELS,
      ...Object.values(LP_MODELS),
      ...Object.values(WAN_MODEL_IDS),
    ];
    for (const id of named) expect(entry(id).id).toBe(id);
  });

  it('should record a licence with a URL for every entry, non-commercial ones flagged', () => {
    for (const e of catalog) {
      expect(e.licence.name, e.id).not.toBe('');
      expect(e.licence.url, e.id).toMatch(/^https:\/\//);
    }
    const nonCommercial = catalog.filter((e) => !e.licence.commercialUse).map((e) => e.id);
    // docs/models/face.md §9.3: the InsightFace models and CodeFormer.
    expect(nonCommercial).toEqual([
      'det_10g',
      '2d106det',
      'arcface_w600k_r50',
      'inswapper_128',
      'hyperswap_1a_256',
      'hyperswap_1b_256',
      'hyperswap_1c_256',
      'simswap_256',
      'simswap_unofficial_512',
      'codeformer',
      'gpen_bfr_256',
      'gpen_bfr_512',
      'gpen_bfr_1024',
      'gpen_bfr_2048',
    ]);
    expect(entry('liveportrait_warping_spade').licence.commercialUse).toBe(true);
    expect(entry('wan2.1_vace_1.3b').licence.commercialUse).toBe(true);
  });

  it('should mirror the default variant at the entry level', () => {
    for (const e of catalog) {
      const [first] = e.variants;
      expect({ file: e.file, urls: e.urls, sha256: e.sha256, bytes: e.bytes }, e.id).toEqual({
        file: first?.file,
        urls: first?.urls,
        sha256: first?.sha256,
        bytes: first?.bytes,
      });
    }
  });

  it('should never copy one checksum onto two files', () => {
    const hashes = variants.map((v) => v.variant.sha256).filter((sha) => sha !== null);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

describe('checksums and sizes', () => {
  /**
   * Downloads whose sha256 no source publishes (docs/models/face.md §7.2, §9.1–9.2; the UMT5 tokenizer
   * and TensorStack's T2V export: docs/models/wan.md §1.2, §3.3).
   */
  const WAN_PUBLIC = ['umt5_xxl_tokenizer', ...Object.values(WAN_T2V_MODEL_IDS)];
  /** FaceFusion's swappers and converters but hyperswap_1a_256 (face.md §9.1). */
  const SWAPPERS_UNPUBLISHED = [
    'hyperswap_1b_256',
    'hyperswap_1c_256',
    'ghost_1_256',
    'ghost_2_256',
    'ghost_3_256',
    'simswap_256',
    'simswap_unofficial_512',
    'crossface_ghost',
    'crossface_simswap',
  ];
  const WITHOUT_SHA256 = [
    ...SWAPPERS_UNPUBLISHED,
    'gfpgan_1.3',
    'gfpgan_1.2',
    'restoreformer_plus_plus',
    'xseg_1',
    ...WAN_PUBLIC,
  ];
  /** Downloads whose size no source publishes: recorded by the store at the first download. */
  const WITHOUT_BYTES = [
    ...SWAPPERS_UNPUBLISHED,
    'gfpgan_1.4',
    'gfpgan_1.3',
    'gfpgan_1.2',
    'codeformer',
    // both of its variants (FaceFusion's fp32, VisoMaster's fp16)
    'restoreformer_plus_plus',
    'restoreformer_plus_plus',
    'gpen_bfr_256',
    'gpen_bfr_1024',
    'gpen_bfr_2048',
    'xseg_1',
    'liveportrait_appearance_feature_extractor',
    'liveportrait_motion_extractor',
    'liveportrait_warping_spade',
    'liveportrait_stitching',
    'liveportrait_stitching_eye',
    'liveportrait_stitching_lip',
    'liveportrait_landmark',
    ...WAN_PUBLIC,
  ];
  const downloads = variants.filter((v) => v.entry.availability === 'download');

  it('should give every downloadable file a sha256 and a size, but for the documented gaps', () => {
    const noSha = downloads.filter((v) => v.variant.sha256 === null).map((v) => v.entry.id);
    const noBytes = downloads.filter((v) => v.variant.bytes === null).map((v) => v.entry.id);
    expect(noSha).toEqual(WITHOUT_SHA256);
    expect(noBytes).toEqual(WITHOUT_BYTES);
    for (const { entry: e, variant } of downloads) expect(variant.urls.length, e.id).toBeGreaterThan(0);
  });

  it('should carry the reference checksums and sizes of inswapper_128 fp32 and fp16 (face.md §9.1)', () => {
    expect(findVariant(entry('inswapper_128'), 'fp32')).toMatchObject({
      sha256: 'e4a3f08c753cb72d04e10aa0f7dbe3deebbf39567d4ead6dce08e98aa49e16af',
      bytes: 554_253_681,
    });
    expect(findVariant(entry('inswapper_128'), 'fp16')).toMatchObject({
      file: 'inswapper_128_fp16.onnx',
      sha256: '98fae14454ae714f31b4fe43a8907661c6b496ccbc5cb62c7219d8196d92bf21',
      bytes: 277_680_829,
    });
  });

  it("should download the LivePortrait set from VisoMaster's release, with its sha256 (liveportrait.md §2.4)", () => {
    const base = 'https://github.com/visomaster/visomaster-assets/releases/download/v1.0.0/';
    const published: Record<string, [string, string]> = {
      liveportrait_motion_extractor: [
        'motion_extractor.onnx',
        '99d4b3c9dd3fd301910de9415a29560e38c0afaa702da51398281376cc36fdd3',
      ],
      liveportrait_appearance_feature_extractor: [
        'appearance_feature_extractor.onnx',
        'dbbbb44e4bba12302d7137bdee6a0f249b45fb6dd879509fd5baa27d70c40e32',
      ],
      liveportrait_warping_spade: [
        'warping_spade.onnx',
        'd6ee9af4352b47e88e0521eba6b774c48204afddc8d91c671a5f7b8a0dfb4971',
      ],
      liveportrait_stitching: [
        'stitching.onnx',
        '43598e9747a19f4c55d8e1604fb7d7fa70ab22377d129cb7d1fe38c9a737cc79',
      ],
      liveportrait_stitching_eye: [
        'stitching_eye.onnx',
        '251004fe4a994c57c8cd9f2c50f3d89feb289fb42e6bc3af74470a3a9fa7d83b',
      ],
      liveportrait_stitching_lip: [
        'stitching_lip.onnx',
        '1ca793eac4b0dc5464f1716cdaa62e595c2c2272c9971a444e39c164578dc34b',
      ],
      liveportrait_landmark: [
        'landmark.onnx',
        '31d22a5041326c31f19b78886939a634a5aedcaa5ab8b9b951a1167595d147db',
      ],
    };
    for (const [id, [file, sha256]] of Object.entries(published)) {
      expect(entry(id), id).toMatchObject({ file, sha256, urls: [`${base}${file}`], bytes: null });
    }
    // face.md §9.2: GFPGANv1.4.onnx from the same release, with its published sha256.
    expect(entry('gfpgan_1.4')).toMatchObject({
      urls: [`${base}GFPGANv1.4.onnx`],
      sha256: '6548e54cbcf248af385248f0c1193b359c37a0f98b836282b09cf48af4fd2b73',
    });
    // VisoMaster's 2d106det and det_10g agree with the catalog's values from ReActor (face.md §9.1).
    expect(entry('2d106det').sha256).toBe('f001b856447c413801ef5c42091ed0cd516fcd21f2d6b79635b1e733a7109dbf');
    expect(entry('det_10g').sha256).toBe('5838f7fe053675b1c7a08b633df49e7af5495cee0493c7dcf6697200b85b5b91');
  });

  it('should keep warping_spade off CoreML (5-D GridSample, liveportrait.md §7.2)', () => {
    expect(entry('liveportrait_warping_spade').providers).toEqual(['cuda', 'cpu']);
    expect(entry('liveportrait_motion_extractor').providers).toEqual(['cuda', 'coreml', 'cpu']);
  });

  it('should mark the Wan VACE parts as export-required, with no URL and a note saying how', () => {
    const wan = catalog.filter((e) => e.plugin === 'wan' && e.availability === 'export-required');
    expect(wan.map((e) => e.id)).toEqual(Object.values(WAN_MODEL_IDS));
    for (const e of wan) {
      expect(e.availability).toBe('export-required');
      expect(e.variants.every((v) => v.urls.length === 0)).toBe(true);
      expect(e.note).toMatch(/tools\/export-wan.*models import <id> <folder>/s);
    }
  });

  it("should download TensorStack's T2V parts with the data file their graph names beside each large one", () => {
    const t2v = Object.values(WAN_T2V_MODEL_IDS).map((id) => entry(id));
    const data = t2v.map((e) => e.variants[0]?.externalData?.map((d) => [d.file, d.urls[0]]) ?? []);
    const base = 'https://huggingface.co/TensorStack/Wan2.1-T2V-1.3B-onnx/resolve/main';
    expect(data).toEqual([
      [['model.onnx.data', `${base}/transformer/model.onnx.data`]],
      [['model.onnx.data', `${base}/text_encoder/model.onnx.data`]],
      [], // the VAE decoder is under 2 GB: one file
    ]);
  });
});

describe('pre-processing (docs/models/face.md §1.4, docs/models/liveportrait.md §2.2–2.3)', () => {
  const unit = { scale: 1 / 255, mean: 0, std: 1 };
  const expected: Record<string, unknown> = {
    // face.md §2.2: 640², RGB, (x − 127.5)/128.
    det_10g: {
      size: 640,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1, mean: 127.5, std: 128 },
    },
    // §2.3: 640², BGR, x/255.
    yoloface_8n: { size: 640, layout: 'nchw', normalize: { channelOrder: 'bgr', ...unit } },
    // §2.4 / §1.4: 128², NHWC, RGB, (x/255 − 0.5)/0.5.
    blazeface: {
      size: 128,
      layout: 'nhwc',
      normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
    },
    // §3.1: 256², BGR, x/255.
    '2dfan4': { size: 256, layout: 'nchw', normalize: { channelOrder: 'bgr', ...unit } },
    // §3.4, liveportrait.md §2.3: 192², RGB 0..255 unnormalised.
    '2d106det': { size: 192, layout: 'nchw', normalize: { channelOrder: 'rgb', scale: 1, mean: 0, std: 1 } },
    // §4.4: 112² on arcface_112, RGB, (x − 127.5)/127.5.
    arcface_w600k_r50: {
      size: 112,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1, mean: 127.5, std: 127.5 },
      template: 'arcface_112',
    },
    // §5.2: 128² on arcface_128, RGB, x/255.
    inswapper_128: {
      size: 128,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', ...unit },
      template: 'arcface_128',
    },
    // §5.6 (FaceFusion create_static_model_set): HyperSwap 256² on arcface_128, mean/std 0.5.
    ...Object.fromEntries(
      ['hyperswap_1a_256', 'hyperswap_1b_256', 'hyperswap_1c_256'].map((id) => [
        id,
        {
          size: 256,
          layout: 'nchw',
          normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
          template: 'arcface_128',
        },
      ]),
    ),
    // §5.6: GHOST 256² on arcface_112_v1, mean/std 0.5.
    ...Object.fromEntries(
      ['ghost_1_256', 'ghost_2_256', 'ghost_3_256'].map((id) => [
        id,
        {
          size: 256,
          layout: 'nchw',
          normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
          template: 'arcface_112_v1',
        },
      ]),
    ),
    // §5.6: SimSwap 256² ImageNet mean/std, 512² x/255, both on arcface_112_v1.
    simswap_256: {
      size: 256,
      layout: 'nchw',
      normalize: {
        channelOrder: 'rgb',
        scale: 1 / 255,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      },
      template: 'arcface_112_v1',
    },
    simswap_unofficial_512: {
      size: 512,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', ...unit },
      template: 'arcface_112_v1',
    },
    // §6.1: 512² on ffhq_512, RGB, (x/255 − 0.5)/0.5.
    'gfpgan_1.4': {
      size: 512,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
      template: 'ffhq_512',
    },
    codeformer: {
      size: 512,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
      template: 'ffhq_512',
    },
    // §6.3: the same maths at each model's size; gpen_bfr_256 on arcface_128.
    ...Object.fromEntries(
      (
        [
          ['gfpgan_1.3', 512, 'ffhq_512'],
          ['gfpgan_1.2', 512, 'ffhq_512'],
          ['restoreformer_plus_plus', 512, 'ffhq_512'],
          ['gpen_bfr_256', 256, 'arcface_128'],
          ['gpen_bfr_512', 512, 'ffhq_512'],
          ['gpen_bfr_1024', 1024, 'ffhq_512'],
          ['gpen_bfr_2048', 2048, 'ffhq_512'],
        ] as const
      ).map(([id, size, template]) => [
        id,
        {
          size,
          layout: 'nchw',
          normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
          template,
        },
      ]),
    ),
    // §7.2: 256², NHWC, BGR, x/255.
    xseg_1: { size: 256, layout: 'nhwc', normalize: { channelOrder: 'bgr', ...unit } },
    // §7.3: 512², RGB, ImageNet mean/std.
    bisenet_resnet_34: {
      size: 512,
      layout: 'nchw',
      normalize: {
        channelOrder: 'rgb',
        scale: 1 / 255,
        mean: [0.485, 0.456, 0.406],
        std: [0.229, 0.224, 0.225],
      },
    },
    // liveportrait.md §2.2: F and M take 256², RGB /255, no mean/std.
    liveportrait_appearance_feature_extractor: {
      size: 256,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', ...unit },
    },
    liveportrait_motion_extractor: { size: 256, layout: 'nchw', normalize: { channelOrder: 'rgb', ...unit } },
    // §2.3: 224², RGB /255.
    liveportrait_landmark: { size: 224, layout: 'nchw', normalize: { channelOrder: 'rgb', ...unit } },
  };

  it.each(Object.entries(expected))('%s', (id, preprocess) => {
    expect(entry(id).preprocess).toEqual(preprocess);
  });

  it('should describe exactly the models fed an image (not W+G, the MLPs or the Wan parts)', () => {
    const withPreprocess = catalog.filter((e) => e.preprocess).map((e) => e.id);
    expect(withPreprocess.sort()).toEqual(Object.keys(expected).sort());
  });

  // face.md §4.2: each template in pixels of its own crop.
  const TEMPLATES: Record<string, number[][]> = {
    arcface_w600k_r50: [
      [38.2946, 51.6963],
      [73.5318, 51.5014],
      [56.0252, 71.7366],
      [41.5493, 92.3655],
      [70.7299, 92.2041],
    ],
    inswapper_128: [
      [46.2946, 51.6963],
      [81.5318, 51.5014],
      [64.0252, 71.7366],
      [49.5493, 92.3655],
      [78.7299, 92.2041],
    ],
    'gfpgan_1.4': [
      [192.981, 239.947],
      [318.903, 240.194],
      [256.634, 314.019],
      [201.261, 371.41],
      [313.089, 371.151],
    ],
  };

  it.each(Object.entries(TEMPLATES))('%s: aligns onto the documented template', (id, points) => {
    const preprocess = entry(id).preprocess;
    if (!preprocess) throw new Error(`${id} has no preprocess`);
    const image = createImage(preprocess.size, preprocess.size);
    // Points already on the template: the alignment is the identity, with no residual.
    const aligned = alignForModel(image, points as unknown as FivePoints, preprocess);
    expect(aligned.crop.width).toBe(preprocess.size);
    expect(aligned.residual).toBeLessThan(1e-9);
    const [a, b, tx, c, d, ty] = aligned.matrix;
    for (const [value, want] of [
      [a, 1],
      [b, 0],
      [tx, 0],
      [c, 0],
      [d, 1],
      [ty, 0],
    ] as const) {
      expect(value).toBeCloseTo(want, 9);
    }
  });
});

describe('what the API may import', () => {
  const src = path.resolve(import.meta.dirname, '../src');

  /** Every bare import of the modules `entry` reaches through relative imports (type-only ones too). */
  function bareImports(entry: string): Set<string> {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(
        /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
      )) {
        if (!spec) continue;
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
        else bare.add(spec);
      }
    };
    visit(path.join(src, entry));
    return bare;
  }

  it('should keep the descriptor chain (schemas.ts → */schema.ts → needs.ts) free of @visage/inference', () => {
    const imports = [...bareImports('schemas.ts')];
    expect(imports.filter((spec) => spec.startsWith('@visage/inference'))).toEqual([]);
    expect(imports.sort()).toEqual(['zod']);
  });

  it('should build the catalog from @visage/inference/models only (no onnxruntime, no sharp)', () => {
    expect([...bareImports('catalog.ts')].sort()).toEqual(['@visage/inference/models']);
  });
});
