// The VACE conditioning for reference-to-video (docs/models/wan.md §5): each reference letter-boxed
// onto white and VAE-encoded as one latent frame, the all-zero control video encoded once, both
// normalised, then assembled with the mask into the [96, N + T, h, w] context.
import { type ModelSession, ort, type RgbImage } from '@visage/inference';
import { LATENT_CHANNELS } from './contracts.ts';
import { latentFrames, normaliseLatent } from './latents.ts';
import { assembleVaceContext, letterboxOntoWhite } from './vace.ts';

export interface VideoGrid {
  width: number;
  height: number;
  frames: number;
  /** Latent frames (F − 1)/4 + 1 and latent size H/8 × W/8. */
  latentFrames: number;
  latentHeight: number;
  latentWidth: number;
}

export function videoGrid(width: number, height: number, frames: number): VideoGrid {
  return {
    width,
    height,
    frames,
    latentFrames: latentFrames(frames),
    latentHeight: height / 8,
    latentWidth: width / 8,
  };
}

/** VAE-encodes pixels [3, F, H, W] in [-1, 1]; returns the normalised latent [16, T, h, w]. */
async function encodeVideo(
  encoder: ModelSession,
  pixels: Float32Array,
  frames: number,
  grid: VideoGrid,
): Promise<Float32Array> {
  const out = await encoder.run({
    video: new ort.Tensor('float32', pixels, [1, 3, frames, grid.height, grid.width]),
  });
  const latent = out.latent;
  const t = latentFrames(frames);
  const expected = [1, LATENT_CHANNELS, t, grid.latentHeight, grid.latentWidth];
  if (!latent || latent.dims.join() !== expected.join()) {
    throw new Error(
      `${encoder.id}: latent has shape [${latent?.dims.join(', ')}], expected [${expected.join(', ')}]`,
    );
  }
  const z = new Float32Array(latent.data as Float32Array);
  normaliseLatent(z, t, grid.latentHeight, grid.latentWidth);
  return z;
}

/** The VACE context [96, N + T, h, w] for `references` (possibly none: text-to-video on VACE). */
export async function vaceContext(
  encoder: ModelSession,
  references: readonly RgbImage[],
  grid: VideoGrid,
): Promise<Float32Array> {
  const refLatents: Float32Array[] = [];
  for (const image of references) {
    const pixels = letterboxOntoWhite(image, grid.width, grid.height);
    refLatents.push(await encodeVideo(encoder, pixels, 1, grid));
  }
  // R2V has no source video: the control video is all zeros (mid-grey) and the mask all ones (§5.3).
  const zeros = new Float32Array(3 * grid.frames * grid.height * grid.width);
  const controlLatent = await encodeVideo(encoder, zeros, grid.frames, grid);
  return assembleVaceContext({
    refLatents,
    controlLatent,
    T: grid.latentFrames,
    h: grid.latentHeight,
    w: grid.latentWidth,
  });
}
