// The denoising loop (docs/models/wan.md §7): seeded noise, the shifted flow-matching schedule, the
// transformer with classifier-free guidance (one batch-2 call when the export takes batch 2, else
// two calls), UniPC or Euler, cancel and progress between steps, a latent preview every few steps.
import { type ModelSession, ort } from '@visage/inference';
import { LATENT_CHANNELS, TEXT_DIM, TEXT_TOKENS, VACE_CHANNELS } from './contracts.ts';
import { applyGuidance, applyGuidanceBatch2 } from './guidance.ts';
import { gaussianNoise } from './noise.ts';
import { ropeTables } from './rope.ts';
import { createSampler, predictX0 } from './samplers.ts';
import { wanSchedule } from './schedule.ts';

export interface DenoiseInput {
  transformer: ModelSession;
  /** 'vace': the exported VACE graph (latent, vace_context, RoPE inputs); 't2v': TensorStack's T2V graph. */
  kind: 'vace' | 't2v';
  /** [512 × 4096] each; `uncond` is null when guidance is 1 (no second pass). */
  cond: Float32Array;
  uncond: Float32Array | null;
  /** [96, T', h, w] for VACE, null for T2V. */
  vace: Float32Array | null;
  /** Latent frames including the reference frames (T' = N + T), and the latent size. */
  frames: number;
  height: number;
  width: number;
  steps: number;
  shift: number;
  guidance: number;
  sampler: 'unipc' | 'euler';
  seed: number;
  signal: AbortSignal;
  /** After each step: its index, and the predicted clean latent x0 = x − σ·v (for a preview). */
  onStep(step: number, x0: Float32Array | null): Promise<void> | void;
  /** Whether step `i` should get a preview (the x0 estimate costs a pass over the latent). */
  wantsPreview(step: number): boolean;
}

export interface DenoiseResult {
  latent: Float32Array;
  /** Milliseconds spent inside the transformer's runs, and in the whole loop. */
  transformerMs: number;
  loopMs: number;
}

const tensor = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);

/** Whether the graph's batch dimension is symbolic, so cond and uncond can go in one call. */
function takesBatch2(session: ModelSession, input: string): boolean {
  const dims = session.inputs.find((i) => i.name === input)?.shape;
  return typeof dims?.[0] === 'string';
}

export async function denoise(input: DenoiseInput): Promise<DenoiseResult> {
  const { frames, height, width } = input;
  const size = LATENT_CHANNELS * frames * height * width;
  const latentDims = [LATENT_CHANNELS, frames, height, width];
  const schedule = wanSchedule(input.steps, input.shift);
  const sampler = createSampler(input.sampler, schedule);
  const sample = gaussianNoise(input.seed, size);
  const rope = input.kind === 'vace' ? ropeTables(frames, height / 2, width / 2) : null;
  const tokens = frames * (height / 2) * (width / 2);
  const batch2 =
    input.uncond !== null &&
    takesBatch2(input.transformer, input.kind === 'vace' ? 'latent' : 'hidden_states');

  // Inputs that do not change between steps are built once (batch-2 copies included).
  const pair = (a: Float32Array, b: Float32Array) => {
    const both = new Float32Array(a.length * 2);
    both.set(a, 0);
    both.set(b, a.length);
    return both;
  };
  const contextBoth = batch2 && input.uncond ? pair(input.cond, input.uncond) : null;
  const vaceBoth = batch2 && input.vace ? pair(input.vace, input.vace) : null;
  const latentBoth = batch2 ? new Float32Array(size * 2) : null;

  let transformerMs = 0;
  const run = async (
    latent: Float32Array,
    context: Float32Array,
    vace: Float32Array | null,
    t: number,
    batch: number,
  ) => {
    const feeds: Record<string, ort.Tensor> =
      input.kind === 'vace'
        ? {
            latent: tensor(latent, [batch, ...latentDims]),
            timestep: tensor(new Float32Array(batch).fill(t), [batch]),
            context: tensor(context, [batch, TEXT_TOKENS, TEXT_DIM]),
            vace_context: tensor(vace as Float32Array, [batch, VACE_CHANNELS, frames, height, width]),
            rope_cos: tensor(rope?.cos as Float32Array, [tokens, 64]),
            rope_sin: tensor(rope?.sin as Float32Array, [tokens, 64]),
          }
        : {
            hidden_states: tensor(latent, [1, ...latentDims]),
            timestep: tensor(new Float32Array([t]), [1]),
            encoder_hidden_states: tensor(context, [1, TEXT_TOKENS, TEXT_DIM]),
          };
    const started = performance.now();
    const out = await input.transformer.run(feeds);
    transformerMs += performance.now() - started;
    const velocity = out[input.kind === 'vace' ? 'velocity' : 'out_sample'];
    if (!velocity || velocity.data.length !== size * batch) {
      throw new Error(
        `${input.transformer.id}: the velocity has ${velocity?.data.length} values, expected ${size * batch}`,
      );
    }
    return velocity.data as Float32Array;
  };

  const loopStarted = performance.now();
  for (let i = 0; i < input.steps; i++) {
    input.signal.throwIfAborted();
    const t = schedule.timesteps[i] as number;
    let velocity: Float32Array;
    if (input.uncond === null) {
      velocity = await run(sample, input.cond, input.vace, t, 1);
    } else if (latentBoth && contextBoth) {
      latentBoth.set(sample, 0);
      latentBoth.set(sample, size);
      // [cond, uncond] in one output (docs/models/wan.md §7.7), combined over its first half.
      velocity = applyGuidanceBatch2(await run(latentBoth, contextBoth, vaceBoth, t, 2), input.guidance);
    } else {
      // Each run's output is a buffer of its own: the first one is safe to combine into.
      velocity = await run(sample, input.cond, input.vace, t, 1);
      applyGuidance(velocity, await run(sample, input.uncond, input.vace, t, 1), input.guidance);
    }
    // Before the step overwrites the sample.
    const x0 = input.wantsPreview(i) ? predictX0(sample, velocity, schedule.sigmas[i] as number) : null;
    sampler.step(i, velocity, sample);
    await input.onStep(i, x0);
  }
  return { latent: sample, transformerMs, loopMs: performance.now() - loopStarted };
}
