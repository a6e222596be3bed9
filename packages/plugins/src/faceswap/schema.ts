import { z } from 'zod';
import type { PluginDescriptor } from '../descriptor.ts';
import { videoQualityField } from '../output-fields.ts';
import { RESTORER_MODELS, SWAPPER_FACTS, SWAPPER_MODELS, type SwapperModel } from './model-ids.ts';
import { optionalModels, requiredModels } from './needs.ts';

const swapperLabel = (id: SwapperModel) => {
  const { size, licence, commercialUse, speed } = SWAPPER_FACTS[id];
  return `${id} · ${size} px · ${licence}${commercialUse ? ' (commercial use allowed)' : ''} · ${speed}`;
};

/** A face of the target the user mapped: its box on the map frame, in pixels, and who goes there. */
const faceMapEntry = z.object({
  box: z
    .tuple([z.number(), z.number(), z.number(), z.number()])
    .describe('The face on the target (or on its frame `mapFrame`): left, top, right, bottom in pixels.'),
  source: z.uuid().describe('The source photo (one of `source`) whose identity goes onto this face.'),
});

/**
 * Face swap input (FaceFusion's and Deep-Live-Cam's options, docs/models/face.md §8.6).
 * Flat fields with defaults and short descriptions, so the web UI can build the form from it.
 */
const faceswapFields = z.object({
  source: z
    .array(z.uuid().meta({ accept: ['image'] }))
    .min(1)
    .max(8)
    .describe('Photos of the face to put in. Several photos of one person give a steadier identity.'),
  target: z
    .uuid()
    .meta({ accept: ['image', 'video'] })
    .describe('The image or video whose faces are replaced.'),

  swapper: z
    .enum(['auto', ...SWAPPER_MODELS])
    .default('auto')
    .describe(
      'Face swap model. "auto" takes the best installed permissively licensed one, or else the best installed one. Ghost (Apache-2.0) is the only swapper family whose weights allow commercial use; the ArcFace recogniser every swapper needs is InsightFace\'s (non-commercial). 256-px models are sharper than inswapper (128 px).',
    )
    .meta({
      group: 'Swap',
      optionLabels: {
        auto: 'Auto — best installed permissive (ghost)',
        ...Object.fromEntries(SWAPPER_MODELS.map((id) => [id, swapperLabel(id)])),
      },
    }),
  pixelBoost: z
    .int()
    .min(1)
    .max(4)
    .default(1)
    .describe(
      "Pixel boost: swap at N× the model's size (N² model runs per face, N·size at most 1024 px) for a sharper face on large targets.",
    )
    .meta({ group: 'Swap' }),

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
    .enum(['all', 'largest', 'left-most', 'index', 'reference', 'map'])
    .default('largest')
    .describe(
      'Which faces of the target to replace: all, one (largest, left-most or by index), those that look like a reference face, or a map of target faces to source photos.',
    )
    .meta({ group: 'Faces', optionLabels: { map: 'Map faces to sources' } }),
  faceMap: z
    .array(faceMapEntry)
    .max(20)
    .default([])
    .describe(
      'With "map": which source photo goes onto which target face (each photo is one identity); faces left out stay as they are. In videos each mapped person is followed by likeness from frame to frame.',
    )
    .meta({ group: 'Faces', when: { faces: ['map'] }, widget: 'face-map' }),
  mapFrame: z
    .int()
    .min(0)
    .default(0)
    .describe('With "map" on a video: the frame on which the mapped faces were picked.')
    .meta({ group: 'Faces', when: { faces: ['map'] }, advanced: true }),
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
    .describe(
      'With "reference" (and "map" in videos): how different a face may look and still count as the same person.',
    )
    .meta({ group: 'Faces', when: { faces: ['reference', 'map'] } }),
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
  ...maskPaddingFields(),
  mouthMask: z
    .boolean()
    .default(false)
    .describe(
      "Keep the target's own mouth (lips, teeth, tongue) as it is, for speech and lip sync; the rest of the face is swapped.",
    )
    .meta({ group: 'Blending' }),
  colorCorrection: z
    .boolean()
    .default(false)
    .describe(
      "Match the new face's colours to the target face's in CIELAB (measured on the cheeks, eyes and mouth only; in videos steadied from frame to frame). Off by default, as in FaceFusion and Deep-Live-Cam: it can raise contrast or tint the skin.",
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
    .enum(['none', ...RESTORER_MODELS])
    .default('none')
    .describe(
      'Sharpen the swapped face with a restoration model (slower). GFPGAN and RestoreFormer++ are Apache-2.0; CodeFormer and GPEN are non-commercial.',
    )
    .meta({ group: 'Restoration' }),
  restoreStrength: z
    .int()
    .min(0)
    .max(100)
    .default(80)
    .describe('How much of the restored face to blend in (%).')
    .meta({ group: 'Restoration', when: { restore: [...RESTORER_MODELS] } }),
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
    .describe(
      'Video: steadies the face from frame to frame against flicker: its landmarks, its colour matching and its mask (0 = off).',
    )
    .meta({ group: 'Video' }),
  videoQuality: videoQualityField('Video', 'Video: H.264 constant-rate factor (lower is better and larger).'),
  saveMask: z
    .boolean()
    .default(false)
    .describe(
      'Also save the mask each face was pasted through (white = swapped), shown over the result on the job page. Videos: the first frame with a swapped face.',
    )
    .meta({ group: 'Output', advanced: true }),
  imageFormat: z
    .enum(['same', 'png', 'jpeg', 'webp'])
    .default('same')
    .describe('Image output format; "same" keeps the target\'s.')
    .meta({ group: 'Output' }),
});

/** Box-mask padding per side (FaceFusion's `--face-mask-padding` top right bottom left), percent of the crop. */
function maskPaddingFields() {
  const side = (name: string) =>
    z
      .int()
      .min(0)
      .max(40)
      .default(0)
      .describe(`Shrink the pasted area from the ${name} edge of the face crop (percent).`)
      .meta({ group: 'Blending', advanced: true });
  return {
    maskPaddingTop: side('top'),
    maskPaddingRight: side('right'),
    maskPaddingBottom: side('bottom'),
    maskPaddingLeft: side('left'),
  };
}

/** Checks across fields: a face map names only the job's source photos and is not empty. */
export const faceswapSchema = faceswapFields.superRefine((input, ctx) => {
  if (input.faces !== 'map') return;
  if (input.faceMap.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['faceMap'],
      message: 'With faces "map", map at least one target face to a source photo',
    });
  }
  const sources = new Set(input.source);
  input.faceMap.forEach((entry, i) => {
    if (!sources.has(entry.source)) {
      ctx.addIssue({
        code: 'custom',
        path: ['faceMap', i, 'source'],
        message: 'A mapped face must take one of the source photos of this job',
      });
    }
    const [x1, y1, x2, y2] = entry.box;
    if (!(x2 > x1 && y2 > y1)) {
      ctx.addIssue({ code: 'custom', path: ['faceMap', i, 'box'], message: 'The box is empty' });
    }
  });
});

export type FaceswapInput = z.infer<typeof faceswapSchema>;

export const faceswapDescriptor = {
  id: 'faceswap',
  title: 'Face swap',
  description:
    'Puts the face from your photos onto the faces of an image or video, or each photo onto the face you map it to (inswapper, HyperSwap, ghost or SimSwap; optional restoration).',
  input: faceswapSchema,
  assetFields: ['source', 'target', 'reference'],
  models: requiredModels,
  optionalModels,
} satisfies PluginDescriptor<typeof faceswapSchema>;

/**
 * A live session's options (docs/live.md §1): the camera is the target, so no target, reference face
 * or file formats; the smoothing and detection interval of videos apply to the stream.
 */
export const faceswapLiveSchema = faceswapFields
  .omit({
    target: true,
    reference: true,
    referenceFrame: true,
    faceMap: true,
    mapFrame: true,
    videoQuality: true,
    imageFormat: true,
    saveMask: true,
  })
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
