// Catalog ids of the models a portrait animation runs. No runtime code: needs.ts (and through it the
// descriptor the API imports) and models.ts (the entries) both take the ids from here.
import { LANDMARKER_106_MODEL } from '../face/model-ids.ts';

export const LP_MODELS = {
  appearance: 'liveportrait_appearance_feature_extractor',
  motion: 'liveportrait_motion_extractor',
  warping: 'liveportrait_warping_spade',
  stitching: 'liveportrait_stitching',
  eye: 'liveportrait_stitching_eye',
  lip: 'liveportrait_stitching_lip',
  landmark: 'liveportrait_landmark',
  /** Shared with the face swap: its entry is in ../face/models.ts. */
  landmark106: LANDMARKER_106_MODEL,
} as const;
