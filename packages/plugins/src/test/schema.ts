import { z } from 'zod';
import type { PluginDescriptor } from '../descriptor.ts';

/**
 * The built-in test plugin: proves the whole job path (upload → queue → worker → progress →
 * output → gallery) without model weights. Registered only when VISAGE_ENABLE_TEST_PLUGIN=1.
 */
export const testPluginSchema = z.object({
  image: z
    .uuid()
    .meta({ accept: ['image'] })
    .optional()
    .describe('An uploaded image; the result is it mirrored. Without one, a gradient is drawn.'),
  steps: z.int().min(1).max(1000).default(5).describe('How many progress steps to report.'),
  stepMs: z.int().min(0).max(60_000).default(200).describe('Time each step takes, in milliseconds.'),
  failAtStep: z.int().min(1).optional().describe('Throw an error at this step (to see failures).'),
  model: z
    .string()
    .min(1)
    .optional()
    .describe('Also load this model from the catalog (to try the model path).'),
});

export const testPluginDescriptor = {
  id: 'test',
  title: 'Test',
  description: 'Reports progress for a while, then mirrors the input image. For trying out the job pipeline.',
  input: testPluginSchema,
  assetFields: ['image'],
  models: (input) => (input.model ? [input.model] : []),
} satisfies PluginDescriptor<typeof testPluginSchema>;

/** The test plugin live: frames come back as they went in (or mirrored), for the transport's tests and bench. */
export const testLiveSchema = z.object({
  image: z
    .uuid()
    .meta({ accept: ['image'] })
    .optional()
    .describe('An uploaded image the session reads once (to try the asset checks).'),
  mirror: z.boolean().default(false).describe('Mirror each frame.'),
  delayMs: z.int().min(0).max(1000).default(0).describe('Extra time each frame takes, in milliseconds.'),
});

export const testLiveDescriptor = {
  id: 'test',
  title: 'Live test',
  description: 'Sends the camera back unchanged (or mirrored). For trying out live mode.',
  input: testLiveSchema,
  assetFields: ['image'],
  models: () => [],
} satisfies PluginDescriptor<typeof testLiveSchema>;
