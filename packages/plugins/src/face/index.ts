// Face detection shared by the faceswap and liveportrait plugins.
export {
  BLAZEFACE_KEYPOINTS,
  BLAZEFACE_MODEL_PATH,
  decodeBlazeFaceHead,
  detectFacesBlazeFace,
} from './blazeface.ts';
export {
  decode2dfan4,
  FAN_SIZE,
  type FaceAngle,
  faceAngle,
  fanCropMatrix,
  type Landmarks68,
  landmarks68To5,
  landmarks68With2dfan4,
  optimizeDarkContrast,
  prepare2dfan4Input,
  refineWithLandmarks,
} from './landmark68.ts';
export { iou, nonMaxSuppression } from './nms.ts';
export {
  decodeScrfd,
  detectFacesScrfd,
  FIVE_POINT_KEYPOINTS,
  type LetterboxGeometry,
  prepareScrfdInput,
  SCRFD_SIZE,
  SCRFD_STRIDES,
  type ScrfdDecodeOptions,
  type ScrfdOptions,
} from './scrfd.ts';
export type { FaceDetection } from './types.ts';
export {
  decodeYoloFace,
  detectFacesYoloFace,
  prepareYoloFaceInput,
  YOLOFACE_SIZE,
  type YoloFaceDecodeOptions,
  type YoloFaceOptions,
} from './yoloface.ts';
