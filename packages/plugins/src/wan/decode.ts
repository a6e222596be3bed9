// Latent → RGB frames (docs/models/wan.md §6.4–6.7). The VACE set's decoder streams: the first latent
// frame through the first-chunk graph (1 pixel frame + 32 caches), every later one with the caches
// through the steady-state graph (4 pixel frames + new caches). TensorStack's T2V decoder takes the
// whole clip in one call. Pixels: clamp to [−1, 1], (x + 1)/2, ×255, truncated to 8 bits.
import { type ModelSession, ort, type RgbImage } from '@visage/inference';
import { cacheIn, cacheOut, DECODER_CACHES, LATENT_CHANNELS } from './contracts.ts';
import { denormaliseLatent } from './latents.ts';

export interface LatentVideo {
  /** Normalised latent [16, T, h, w] (the reference frames already dropped). */
  data: Float32Array;
  frames: number;
  height: number;
  width: number;
}

/** Frame `index` of a [1, 3, F, H, W] float tensor as 8-bit RGB (§6.7). */
export function pixelFrame(
  data: Float32Array,
  frames: number,
  height: number,
  width: number,
  index: number,
): RgbImage {
  const plane = height * width;
  const rgb = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const base = (c * frames + index) * plane;
    for (let p = 0; p < plane; p++) {
      const v = data[base + p] as number;
      const x = v < -1 ? -1 : Math.min(v, 1);
      rgb[p * 3 + c] = ((x + 1) / 2) * 255; // Uint8Array truncates, as torch's .type(uint8) after mul(255)
    }
  }
  return { width, height, channels: 3, data: rgb };
}

/** One latent frame [1, 16, 1, h, w] copied out of the whole latent [16, T, h, w]. */
function latentFrame(latent: LatentVideo, t: number): Float32Array {
  const plane = latent.height * latent.width;
  const out = new Float32Array(LATENT_CHANNELS * plane);
  for (let c = 0; c < LATENT_CHANNELS; c++) {
    const from = (c * latent.frames + t) * plane;
    out.set(latent.data.subarray(from, from + plane), c * plane);
  }
  return out;
}

function framesOf(id: string, out: Record<string, ort.Tensor>, name: string, expected?: number) {
  const frames = out[name];
  if (frames?.dims.length !== 5 || (expected !== undefined && frames.dims[2] !== expected)) {
    throw new Error(
      `${id}: ${name} has shape [${frames?.dims.join(', ')}], expected [1, 3, ${expected ?? 'F'}, H, W]`,
    );
  }
  const [, , f, h, w] = frames.dims as [number, number, number, number, number];
  return { data: frames.data as Float32Array, f, h, w };
}

/** A decoder graph held for as long as it is needed. */
export interface HeldSession {
  session: ModelSession;
  release(): void;
}

/**
 * Streams the VACE set's decoder: one latent frame per call, caches carried from call to call. The
 * first-chunk graph is released before the steady-state one is taken, so one part at a time fits.
 */
export async function* decodeStreaming(
  open: (part: 'first' | 'steady') => Promise<HeldSession>,
  latent: LatentVideo,
  signal: AbortSignal,
): AsyncGenerator<RgbImage> {
  const z = new Float32Array(latent.data);
  denormaliseLatent(z, latent.frames, latent.height, latent.width);
  const whole = { ...latent, data: z };
  const dims = [1, LATENT_CHANNELS, 1, latent.height, latent.width];
  let caches: ort.Tensor[] = [];
  let held: HeldSession | null = null;
  try {
    for (let t = 0; t < latent.frames; t++) {
      signal.throwIfAborted();
      if (t <= 1) {
        held?.release();
        held = null;
        held = await open(t === 0 ? 'first' : 'steady');
      }
      const { session } = held as HeldSession;
      const feeds: Record<string, ort.Tensor> = {
        latent: new ort.Tensor('float32', latentFrame(whole, t), dims),
      };
      for (let i = 0; i < caches.length; i++) feeds[cacheIn(i)] = caches[i] as ort.Tensor;
      const out = await session.run(feeds);
      caches = Array.from({ length: DECODER_CACHES }, (_, i) => {
        const cache = out[cacheOut(i)];
        if (!cache) throw new Error(`${session.id} gave no ${cacheOut(i)}`);
        return cache;
      });
      const frames = framesOf(session.id, out, 'frames', t === 0 ? 1 : 4);
      for (let f = 0; f < frames.f; f++) yield pixelFrame(frames.data, frames.f, frames.h, frames.w, f);
    }
  } finally {
    held?.release();
  }
}

/** TensorStack's T2V decoder: the whole clip in one call (its input is the denormalised latent). */
export async function* decodeWhole(decoder: ModelSession, latent: LatentVideo): AsyncGenerator<RgbImage> {
  const z = new Float32Array(latent.data);
  denormaliseLatent(z, latent.frames, latent.height, latent.width);
  const out = await decoder.run({
    latent_sample: new ort.Tensor('float32', z, [
      1,
      LATENT_CHANNELS,
      latent.frames,
      latent.height,
      latent.width,
    ]),
  });
  const frames = framesOf(decoder.id, out, 'sample', 1 + 4 * (latent.frames - 1));
  for (let f = 0; f < frames.f; f++) yield pixelFrame(frames.data, frames.f, frames.h, frames.w, f);
}
