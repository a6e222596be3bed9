import { z } from 'zod';
import type { PluginDescriptor } from '../descriptor.ts';
import { videoQualityField } from '../output-fields.ts';
import { requiredModels } from './needs.ts';

/** Wan 2.1's own sizes for the 1.3B models (docs/models/wan.md §2.1) plus a small one to try on a CPU. */
export const WAN_SIZES = ['832x480', '480x832', '416x240', '240x416'] as const;
export type WanSize = (typeof WAN_SIZES)[number];

/**
 * Reference-to-video (Wan 2.1 VACE 1.3B) and text-to-video (VACE without references, or the public
 * T2V 1.3B export). Defaults are the reference's (docs/models/wan.md §7.8); the preset fills steps,
 * frames, size and shift unless "custom" is chosen.
 */
const wanFields = z.object({
  prompt: z
    .string()
    .trim()
    .min(1, 'Describe the video')
    .max(4000)
    .describe('What the video shows. Name the subjects of the reference images ("the girl", "the snake").')
    .meta({ group: 'Inputs' }),
  references: z
    .array(z.uuid().meta({ accept: ['image'] }))
    .max(4, 'At most four reference images')
    .default([])
    .describe(
      'Up to four images of the subjects to keep (people, objects, a background). None: text to video.',
    ),
  negativePrompt: z
    .string()
    .max(4000)
    .optional()
    .describe(
      "What to avoid. Empty: Wan's own list (bright colours, overexposed, static, blurred details, subtitles…).",
    )
    .meta({ group: 'Generation', advanced: true }),
  model: z
    .enum(['vace', 't2v'])
    .default('vace')
    .describe(
      'VACE 1.3B takes references and prompts (export it once with tools/export-wan); T2V 1.3B is the public export, prompt only.',
    )
    .meta({ group: 'Generation', optionLabels: { vace: 'VACE 1.3B', t2v: 'T2V 1.3B' } }),
  preset: z
    .enum(['reference', 'fast', 'custom'])
    .default('reference')
    .describe(
      "Reference: Wan's settings (832×480, 81 frames, 50 steps — minutes on a GPU). Fast: 416×240, 17 frames, 12 steps, to try it on a CPU.",
    )
    .meta({ group: 'Generation' }),
  size: z
    .enum(WAN_SIZES)
    .default('832x480')
    .describe('Width × height of the video.')
    .meta({
      group: 'Generation',
      when: { preset: ['custom'] },
      optionLabels: Object.fromEntries(WAN_SIZES.map((s) => [s, s.replace('x', ' × ')])),
    }),
  frames: z
    .int()
    .min(5)
    .max(161)
    .refine((f) => (f - 1) % 4 === 0, 'Frames must be 4k + 1 (5, 9, … 81)')
    .default(81)
    .describe('Number of frames: 4k + 1; 81 is five seconds at 16 fps, what Wan was trained on.')
    .meta({ group: 'Generation', when: { preset: ['custom'] } }),
  steps: z
    .int()
    .min(1)
    .max(100)
    .default(50)
    .describe('Denoising steps: more is slower and usually cleaner.')
    .meta({ group: 'Generation', when: { preset: ['custom'] } }),
  guidance: z
    .number()
    .min(1)
    .max(20)
    .default(5)
    .describe('How closely to follow the prompt (1 turns guidance off and halves the work).')
    .meta({ group: 'Generation', advanced: true }),
  shift: z
    .number()
    .min(1)
    .max(20)
    .default(16)
    .describe('Shift of the noise schedule (VACE uses 16; T2V 5 at this size).')
    .meta({ group: 'Generation', advanced: true, when: { preset: ['custom'] } }),
  sampler: z
    .enum(['unipc', 'euler'])
    .default('unipc')
    .describe("UniPC (Wan's default, order 2) or Euler (simpler, needs more steps).")
    .meta({ group: 'Generation', advanced: true }),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional()
    .describe('The same seed and settings give the same video. Empty: a new random seed each run.')
    .meta({ group: 'Generation', reroll: true }),
  fps: z.int().min(4).max(30).default(16).describe('Frames per second of the MP4 (Wan: 16).').meta({
    group: 'Output',
    advanced: true,
  }),
  videoQuality: videoQualityField('Output'),
});

export const wanSchema = wanFields.refine(
  (input) => input.model === 'vace' || input.references.length === 0,
  {
    message: 'Reference images need the VACE model (T2V takes a prompt only)',
    path: ['references'],
  },
);

export type WanInput = z.infer<typeof wanSchema>;

export const wanDescriptor = {
  id: 'wan',
  title: 'Reference to video',
  description:
    'Generates a short video from a prompt and up to four reference images (Wan 2.1 VACE), or from a prompt alone.',
  input: wanSchema,
  assetFields: ['references'],
  models: requiredModels,
} satisfies PluginDescriptor<typeof wanSchema>;
