// Face detection shared by the faceswap and liveportrait plugins.
export {
  BLAZEFACE_KEYPOINTS,
  BLAZEFACE_MODEL_PATH,
  decodeBlazeFaceHead,
  detectFacesBlazeFace,
} from './blazeface.ts';
export { iou, nonMaxSuppression } from './nms.ts';
export type { FaceDetection } from './types.ts';
