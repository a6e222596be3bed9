// A Wan job (docs/models/wan.md §12): text → (VACE conditioning) → denoising → decoding → MP4, each
// stage holding only its own models so a small machine never holds the text encoder together with
// the transformer (the ModelManager evicts a released part when the next one needs the room).
import { randomInt } from 'node:crypto';
import {
  checkContract,
  encodeImage,
  type ModelLease,
  type ModelSession,
  type RgbImage,
} from '@visage/inference';
import { runFrameJob } from '../frames/run-frame-job.ts';
import { readImage } from '../inputs.ts';
import { LeaseSet, type ModelUse } from '../leases.ts';
import { PluginInputError, type RunContext } from '../types.ts';
import { vaceContext, videoGrid } from './conditioning.ts';
import { T2V_CONTRACTS, VACE_CONTRACTS, type WanContract } from './contracts.ts';
import { decodeStreaming, decodeWhole } from './decode.ts';
import { denoise } from './denoise.ts';
import { latentPreviewRgb } from './latents.ts';
import { WAN_MODEL_IDS, WAN_T2V_MODEL_IDS, WAN_TOKENIZER_ID } from './model-ids.ts';
import { WAN_DEFAULT_NEGATIVE_PROMPT } from './prompt.ts';
import type { WanInput } from './schema.ts';
import { wanSettings } from './settings.ts';
import { encodePrompt } from './text.ts';
import { loadUmt5Tokenizer, PromptTooLongError } from './tokenizer.ts';
import { dropReferenceFrames } from './vace.ts';

/** Progress: text and references to 10 %, the steps to 85 %, decoding and encoding to 95 %. */
const DENOISE_FROM = 0.1;
const DECODE_FROM = 0.85;
const PREVIEW_EVERY_MS = 2_000;

export async function runWan(ctx: RunContext, input: WanInput): Promise<void> {
  const settings = wanSettings(input, () => randomInt(2 ** 32 - 1));
  const vace = input.model === 'vace';
  const grid = videoGrid(settings.width, settings.height, settings.frames);
  const used: ModelUse[] = [];
  const stageMs: Record<string, number> = {};

  /** Runs `work` with the leases it takes, released at its end (the parts become evictable). */
  const stage = async <T>(name: string, work: (leases: LeaseSet) => Promise<T>): Promise<T> => {
    const leases = new LeaseSet();
    const started = performance.now();
    try {
      return await work(leases);
    } finally {
      leases.release();
      used.push(...leases.used);
      stageMs[name] = (stageMs[name] ?? 0) + performance.now() - started;
    }
  };
  const acquire = (id: string): Promise<ModelLease> => ctx.models.acquire(id);
  /** A part's session, checked against its contract (a wrong export fails here, naming the tensor). */
  const part = async (
    leases: LeaseSet,
    id: string,
    role: string,
    contract: WanContract,
  ): Promise<ModelSession> => {
    const session = await leases.required(acquire, id, role);
    checkContract(session, contract);
    return session;
  };
  const contracts = vace ? VACE_CONTRACTS : T2V_CONTRACTS;
  const ids = vace ? WAN_MODEL_IDS : WAN_T2V_MODEL_IDS;

  // Inputs first: a bad reference fails the job before any model loads.
  const references: RgbImage[] = [];
  for (const [i, id] of input.references.entries()) {
    references.push(await readImage(await ctx.assets.input(id), `reference image ${i + 1}`));
  }

  ctx.progress(0.01, 'encoding the prompt');
  const tokenizer = await loadUmt5Tokenizer((await ctx.models.locate(WAN_TOKENIZER_ID)).path);
  const negative = input.negativePrompt?.trim() || WAN_DEFAULT_NEGATIVE_PROMPT;
  const text = await stage('text', async (leases) => {
    const encoder = await part(leases, ids.textEncoder, 'text encoder', contracts.textEncoder);
    try {
      const cond = await encodePrompt(encoder, tokenizer, input.prompt);
      const uncond = settings.guidance === 1 ? null : await encodePrompt(encoder, tokenizer, negative);
      return { cond, uncond };
    } catch (error) {
      if (error instanceof PromptTooLongError) {
        throw new PluginInputError(error.message, { cause: error });
      }
      throw error;
    }
  });
  ctx.signal.throwIfAborted();

  let vaceInput: Float32Array | null = null;
  if (vace) {
    ctx.progress(0.05, references.length ? 'encoding the reference images' : 'preparing the video latent');
    vaceInput = await stage('references', async (leases) =>
      vaceContext(
        await part(leases, WAN_MODEL_IDS.vaeEncoder, 'VAE encoder', VACE_CONTRACTS.vaeEncoder),
        references,
        grid,
      ),
    );
  }
  ctx.signal.throwIfAborted();

  const refs = vace ? references.length : 0;
  const latentFrames = refs + grid.latentFrames;
  // A latent preview after the first step, then at most every PREVIEW_EVERY_MS, and after the last:
  // the job page sees the video form without the projection and JPEG costing every step.
  let lastPreview = Number.NEGATIVE_INFINITY;
  const previewFrame = refs + Math.floor(grid.latentFrames / 2);
  const denoised = await stage('denoise', async (leases) => {
    const transformer = await part(leases, ids.transformer, 'transformer', contracts.transformer);
    return denoise({
      transformer,
      kind: vace ? 'vace' : 't2v',
      cond: text.cond.context,
      uncond: text.uncond?.context ?? null,
      vace: vaceInput,
      frames: latentFrames,
      height: grid.latentHeight,
      width: grid.latentWidth,
      steps: settings.steps,
      shift: settings.shift,
      guidance: settings.guidance,
      sampler: settings.sampler,
      seed: settings.seed,
      signal: ctx.signal,
      wantsPreview(i) {
        const due =
          i === 0 || i === settings.steps - 1 || performance.now() - lastPreview >= PREVIEW_EVERY_MS;
        if (due) lastPreview = performance.now();
        return due;
      },
      async onStep(i, x0) {
        const fraction = DENOISE_FROM + ((DECODE_FROM - DENOISE_FROM) * (i + 1)) / settings.steps;
        let preview: { data: Uint8Array; mime: 'image/jpeg' } | undefined;
        if (x0) {
          const rgb = latentPreviewRgb(x0, latentFrames, grid.latentHeight, grid.latentWidth, previewFrame);
          preview = { data: await encodeImage(rgb, 'jpeg', 85), mime: 'image/jpeg' };
        }
        ctx.progress(fraction, `step ${i + 1}/${settings.steps}`, preview);
      },
    });
  });

  // The reference frames served as conditioning only (§5.7).
  const latent = {
    data: dropReferenceFrames(denoised.latent, refs, grid.latentFrames, grid.latentHeight, grid.latentWidth),
    frames: grid.latentFrames,
    height: grid.latentHeight,
    width: grid.latentWidth,
  };
  await stage('decode', async (leases) => {
    // The streaming decoder's two graphs are held one after the other, each in a lease set of its own.
    const open = async (which: 'first' | 'steady') => {
      const held = new LeaseSet();
      const session = await (which === 'first'
        ? part(
            held,
            WAN_MODEL_IDS.vaeDecoderFirst,
            'VAE decoder (first chunk)',
            VACE_CONTRACTS.vaeDecoderFirst,
          )
        : part(held, WAN_MODEL_IDS.vaeDecoder, 'VAE decoder', VACE_CONTRACTS.vaeDecoder));
      used.push(...held.used);
      return { session, release: () => held.release() };
    };
    const frames = vace
      ? decodeStreaming(open, latent, ctx.signal)
      : decodeWhole(
          await part(leases, WAN_T2V_MODEL_IDS.vaeDecoder, 'VAE decoder', T2V_CONTRACTS.vaeDecoder),
          latent,
        );
    await runFrameJob(ctx, {
      name: 'wan',
      what: 'The generated video',
      frames,
      total: settings.frames,
      progressRange: [DECODE_FROM, 0.95],
      pipeline: { analyse: async () => null, render: async (frame) => frame },
      encoder: { fps: settings.fps, crf: input.videoQuality },
      metadata: () => ({
        tool: 'wan',
        settings: { ...settings, model: input.model, references: refs },
        promptTokens: text.cond.tokens,
        negativePromptTokens: text.uncond?.tokens ?? null,
        transformerMs: Math.round(denoised.transformerMs),
        stepMs: Math.round(denoised.loopMs / settings.steps),
        // Each part with its provider and precision; the worker adds `models` (id → provider) itself.
        parts: [...used, ...leases.used],
        memory: ctx.models.memory(),
      }),
      // The decode stage is still running here: its time is the frame job's (decoding + encoding).
      stages: (timings) => ({ ...stageMs, decode: timings.total - timings.encode, encode: timings.encode }),
    });
  });
}
