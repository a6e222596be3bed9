import { z } from 'zod';
import type { PluginDescriptor } from '../descriptor.ts';
import { videoQualityField } from '../output-fields.ts';
import { optionalModels, requiredModels } from './needs.ts';

/**
 * Portrait animation input (LivePortrait's options and defaults: docs/models/liveportrait.md §9).
 * Exactly one of `driving` (a video) and `motion` (a saved motion template) drives the portrait.
 */
const liveportraitFields = z.object({
  source: z
    .uuid()
    .meta({ accept: ['image'] })
    .describe('The portrait to animate: a photo with one clear, roughly frontal face.'),
  driving: z
    .uuid()
    .meta({ accept: ['video'] })
    .optional()
    .describe(
      'A video of a face whose motion animates the portrait. Best: head-centred, first frame neutral.',
    ),
  motion: z
    .uuid()
    .meta({ accept: ['image'] })
    .optional()
    .describe('Instead of a driving video: a motion template saved by an earlier job.'),

  mode: z
    .enum(['relative', 'absolute'])
    .default('relative')
    .describe("Relative: apply the driving face's changes since its first frame (keeps the portrait's pose).")
    .meta({ group: 'Motion' }),
  region: z
    .enum(['all', 'expression', 'pose', 'lips', 'eyes'])
    .default('all')
    .describe('Which motion to take from the driving face.')
    .meta({ group: 'Motion' }),
  multiplier: z
    .number()
    .min(0)
    .max(3)
    .default(1)
    .describe('Strength of the motion (1 = as driven).')
    .meta({ group: 'Motion' }),
  smoothing: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe(
      'Steadies a jittery head (0 = off, as LivePortrait for a photo). Smooths the head turn only, never the mouth or eyes; higher is steadier but lags fast turns.',
    )
    .meta({ group: 'Motion' }),
  stitching: z
    .boolean()
    .default(true)
    .describe('Keep the animated face aligned with the shoulders (turn off for large head motion).')
    .meta({ group: 'Motion', advanced: true }),
  eyeRetargeting: z
    .boolean()
    .default(false)
    .describe("Make the eyes open and close like the driving face's (needs the landmark and eye models).")
    .meta({ group: 'Eyes and lips' }),
  eyeOpen: z
    .number()
    .min(0)
    .max(0.8)
    .optional()
    .describe('With eye retargeting: a fixed eye-open ratio instead of following the driving face.')
    .meta({ group: 'Eyes and lips', when: { eyeRetargeting: [true] } }),
  lipRetargeting: z
    .boolean()
    .default(false)
    .describe("Make the mouth open like the driving face's (needs the landmark and lip models).")
    .meta({ group: 'Eyes and lips' }),
  lipOpen: z
    .number()
    .min(0)
    .max(0.8)
    .optional()
    .describe('With lip retargeting: a fixed mouth-open ratio instead of following the driving face.')
    .meta({ group: 'Eyes and lips', when: { lipRetargeting: [true] } }),
  normalizeLips: z
    .boolean()
    .default(true)
    .describe(
      'Close an open mouth in the portrait before animating, so the driving mouth moves from closed (uses the lip and 203-point landmark models when installed).',
    )
    .meta({
      title: 'Close the mouth first',
      group: 'Eyes and lips',
      advanced: true,
      when: { mode: ['relative'] },
    }),
  cropDriving: z
    .boolean()
    .default(false)
    .describe(
      'Crop a square driving video around its face too. Off, a square video is used whole, as a face close-up; a video that is not square is always cropped (as LivePortrait does).',
    )
    .meta({ group: 'Motion', advanced: true }),
  pasteBack: z
    .boolean()
    .default(true)
    .describe(
      'Put the animated face back into the whole portrait (needs stitching; off, or with stitching off: output the 512² face crop).',
    )
    .meta({ group: 'Output', when: { stitching: [true] } }),
  sideBySide: z
    .boolean()
    .default(false)
    .describe('Show the driving video next to the result.')
    .meta({ group: 'Output' }),
  keepAudio: z
    .boolean()
    .default(true)
    .describe("Copy the driving video's audio track.")
    .meta({ group: 'Output' }),
  saveMotion: z
    .boolean()
    .default(false)
    .describe("Also save the driving video's motion as a template to animate other portraits with.")
    .meta({ group: 'Output' }),
  videoQuality: videoQualityField('Output'),
});

export const liveportraitSchema = liveportraitFields.refine(
  (input) => (input.driving === undefined) !== (input.motion === undefined),
  {
    message: 'Give either a driving video or a motion template (one of them)',
    path: ['driving'],
  },
);

export type LiveportraitInput = z.infer<typeof liveportraitSchema>;

export const liveportraitDescriptor = {
  id: 'liveportrait',
  title: 'Portrait animation',
  description: 'Animates a portrait photo with the head and face motion of a driving video (LivePortrait).',
  input: liveportraitSchema,
  assetFields: ['source', 'driving', 'motion'],
  models: requiredModels,
  optionalModels,
} satisfies PluginDescriptor<typeof liveportraitSchema>;

/** A live session's options (docs/live.md §1): the camera drives the portrait, so no driving video. */
export const liveportraitLiveSchema = liveportraitFields.omit({
  driving: true,
  motion: true,
  sideBySide: true,
  keepAudio: true,
  saveMotion: true,
  videoQuality: true,
});

export type LiveportraitLiveInput = z.infer<typeof liveportraitLiveSchema>;

export const liveportraitLiveDescriptor = {
  id: 'liveportrait',
  title: 'Live portrait',
  description: 'Your camera animates a portrait photo in real time.',
  input: liveportraitLiveSchema,
  assetFields: ['source'],
  models: requiredModels,
  optionalModels,
} satisfies PluginDescriptor<typeof liveportraitLiveSchema>;
