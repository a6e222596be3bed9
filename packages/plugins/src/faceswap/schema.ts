import { z } from 'zod';
import type { PluginDescriptor } from '../descriptor.ts';
import { videoQualityField } from '../output-fields.ts';
import { optionalModels, requiredModels } from './needs.ts';

/**
 * Face swap input (FaceFusion's and Deep-Live-Cam's options, docs/models/face.md §8.6).
 * Flat fields with defaults and short descriptions, so the web UI can build the form from it.
 */
export const faceswapSchema = z.object({
  source: z
    .array(z.uuid().meta({ accept: ['image'] }))
    .min(1)
    .max(8)
    .describe('Photos of the face to put in. Several photos of one person give a steadier identity.'),
  target: z
    .uuid()
    .meta({ accept: ['image', 'video'] })
    .describe('The image or video whose faces are replaced.'),

  detector: z
    .enum(['auto', 'scrfd', 'yoloface', 'blazeface'])
    .default('auto')
    .describe(
      'Face detector. "auto" takes the best one installed: SCRFD, then YOLOFace, then the built-in BlazeFace.',
    )
    .meta({ group: 'Faces', advanced: true }),
  detectorScore: z
    .number()
    .min(0.05)
    .max(0.95)
    .default(0.5)
    .describe('Minimum detection confidence.')
    .meta({ group: 'Faces', advanced: true }),
  landmarker: z
    .enum(['auto', '2dfan4', 'none'])
    .default('auto')
    .describe('Refine eyes, nose and mouth with the 68-point landmarker (when installed; "auto").')
    .meta({ group: 'Faces', advanced: true }),
  faces: z
    .enum(['all', 'largest', 'left-most', 'index', 'reference'])
    .default('largest')
    .describe(
      'Which faces of the target to replace: all, one (largest, left-most or by index), or those that look like a reference face.',
    )
    .meta({ group: 'Faces' }),
  faceIndex: z
    .int()
    .min(0)
    .max(99)
    .default(0)
    .describe('With "index": which face, counting from the left.')
    .meta({ group: 'Faces', when: { faces: ['index'] } }),
  reference: z
    .uuid()
    .meta({ accept: ['image'] })
    .optional()
    .describe(
      'With "reference": a photo of the person to replace (its largest face). Default: the target itself.',
    )
    .meta({ when: { faces: ['reference'] } }),
  referenceFrame: z
    .int()
    .min(0)
    .default(0)
    .describe(
      'With "reference" and no reference photo: the target frame whose largest face is the reference.',
    )
    .meta({ group: 'Faces', when: { faces: ['reference'] } }),
  referenceDistance: z
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe('With "reference": how different a face may look and still count as the same person.')
    .meta({ group: 'Faces', when: { faces: ['reference'] } }),
  minFaceSize: z
    .int()
    .min(0)
    .max(4096)
    .default(0)
    .describe('Ignore faces smaller than this (pixels).')
    .meta({ group: 'Faces', advanced: true }),
  maskBlur: z
    .number()
    .min(0)
    .max(1)
    .default(0.3)
    .describe('Softness of the pasted face edge (also of the restored face when restoring).')
    .meta({ group: 'Blending' }),
  maskPadding: z
    .int()
    .min(0)
    .max(40)
    .default(0)
    .describe('Shrink the pasted area from each edge (percent).')
    .meta({ group: 'Blending', advanced: true }),
  colorCorrection: z
    .boolean()
    .default(false)
    .describe(
      "Shift the new face's colours to the target face's (measured on the cheeks, eyes and mouth only). Off by default, as in FaceFusion and Deep-Live-Cam: it can raise contrast or tint the skin.",
    )
    .meta({ group: 'Blending' }),
  occlusionMask: z
    .boolean()
    .default(false)
    .describe(
      'Keep hands, hair and glasses that cover the face in front of it, through the swap and the restoration (XSeg model).',
    )
    .meta({ group: 'Blending' }),
  regionMask: z
    .boolean()
    .default(false)
    .describe('Paste only skin, brows, eyes, nose and mouth, not the crop around them (BiSeNet model).')
    .meta({ group: 'Blending' }),
  restore: z
    .enum(['none', 'gfpgan_1.4', 'codeformer'])
    .default('none')
    .describe('Sharpen the swapped face with a restoration model (slower; CodeFormer is non-commercial).')
    .meta({ group: 'Restoration' }),
  restoreStrength: z
    .int()
    .min(0)
    .max(100)
    .default(80)
    .describe('How much of the restored face to blend in (%).')
    .meta({ group: 'Restoration', when: { restore: ['gfpgan_1.4', 'codeformer'] } }),
  restoreFidelity: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('CodeFormer only: higher keeps closer to the input, lower restores more.')
    .meta({ group: 'Restoration', when: { restore: ['codeformer'] } }),
  detectEvery: z
    .int()
    .min(1)
    .max(30)
    .default(1)
    .describe('Video: detect faces every N frames and reuse them in between (faster, for still shots).')
    .meta({ group: 'Video', advanced: true }),
  smoothing: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe('Video: steadies the face from frame to frame against flicker (0 = off).')
    .meta({ group: 'Video' }),
  videoQuality: videoQualityField('Video', 'Video: H.264 constant-rate factor (lower is better and larger).'),
  imageFormat: z
    .enum(['same', 'png', 'jpeg', 'webp'])
    .default('same')
    .describe('Image output format; "same" keeps the target\'s.')
    .meta({ group: 'Output' }),
});

export type FaceswapInput = z.infer<typeof faceswapSchema>;

export const faceswapDescriptor = {
  id: 'faceswap',
  title: 'Face swap',
  description:
    'Puts the face from your photos onto the faces of an image or video (InsightFace inswapper, optional restoration).',
  input: faceswapSchema,
  assetFields: ['source', 'target', 'reference'],
  models: requiredModels,
  optionalModels,
} satisfies PluginDescriptor<typeof faceswapSchema>;

/**
 * A live session's options (docs/live.md §1): the camera is the target, so no target, reference face
 * or file formats; the smoothing and detection interval of videos apply to the stream.
 */
export const faceswapLiveSchema = faceswapSchema
  .omit({ target: true, reference: true, referenceFrame: true, videoQuality: true, imageFormat: true })
  .extend({
    faces: z
      .enum(['all', 'largest', 'left-most', 'index'])
      .default('largest')
      .describe('Which faces in the camera picture to replace.')
      .meta({ group: 'Faces' }),
  });

export type FaceswapLiveInput = z.infer<typeof faceswapLiveSchema>;

export const faceswapLiveDescriptor = {
  id: 'faceswap',
  title: 'Live face swap',
  description: 'Puts the face from your photos onto the faces in your camera, in real time.',
  input: faceswapLiveSchema,
  assetFields: ['source'],
  models: requiredModels,
  optionalModels,
} satisfies PluginDescriptor<typeof faceswapLiveSchema>;
