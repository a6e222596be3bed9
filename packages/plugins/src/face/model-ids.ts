// Catalog ids of the face models shared by the plugins. No runtime code: the API and the web app
// import these (through the plugin descriptors) to tell which models a job will use.

export type DetectorKind = 'scrfd' | 'yoloface' | 'blazeface';

/** Catalog model id per detector, best first (the order "auto" tries them in). */
export const DETECTOR_MODELS = {
  scrfd: 'det_10g',
  yoloface: 'yoloface_8n',
  blazeface: 'blazeface',
} as const satisfies Record<DetectorKind, string>;

/** The detectors "auto" may pick, best first; BlazeFace ships with Visage, so one always is there. */
export const AUTO_DETECTORS = Object.keys(DETECTOR_MODELS) as DetectorKind[];

/** FaceFusion's 68-point landmarker (2DFAN4). */
export const LANDMARKER_68_MODEL = '2dfan4';
/** InsightFace's 106-point landmarker, for LivePortrait's crop. */
export const LANDMARKER_106_MODEL = '2d106det';
