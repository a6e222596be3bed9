// A face swap job: read the sources and learn the identity, then swap an image or stream a video.
import type { RgbImage } from '@visage/inference';
import { isImage, isVideo, readImage, readVideoInfo } from '../inputs.ts';
import { PluginInputError, type RunContext } from '../types.ts';
import { acquireFaceSwapModels } from './acquire.ts';
import { outputFormat } from './output-format.ts';
import { FaceSwapProcessor, type FaceSwapSettings } from './processor.ts';
import { swapImage } from './run-image.ts';
import { decodeFrameAt, swapVideo } from './run-video.ts';
import type { FaceswapInput } from './schema.ts';

export function settingsOf(
  input: Omit<
    FaceswapInput,
    'source' | 'target' | 'reference' | 'referenceFrame' | 'videoQuality' | 'imageFormat'
  >,
): FaceSwapSettings {
  return {
    detectorScore: input.detectorScore,
    selection: {
      mode: input.faces,
      index: input.faceIndex,
      minFaceSize: input.minFaceSize,
      referenceDistance: input.referenceDistance,
    },
    paste: {
      maskBlur: input.maskBlur,
      maskPadding: input.maskPadding,
      colorCorrection: input.colorCorrection,
    },
    restoreStrength: input.restoreStrength / 100,
    restoreFidelity: input.restoreFidelity,
    detectEvery: input.detectEvery,
    smoothing: input.smoothing,
  };
}

export async function runFaceswap(ctx: RunContext, input: FaceswapInput): Promise<void> {
  const target = await ctx.assets.input(input.target);
  if (!isImage(target) && !isVideo(target)) {
    throw new PluginInputError(
      `The target "${target.name}" must be an image or a video (it is ${target.mime})`,
    );
  }
  const sources: { name: string; image: RgbImage }[] = [];
  for (const id of input.source) {
    const asset = await ctx.assets.input(id);
    sources.push({ name: `${asset.name}`, image: await readImage(asset, 'source image') });
  }
  // Read the target before loading any model: a bad file fails at once, and it is read only once.
  const targetImage = isImage(target) ? await readImage(target, 'target image') : null;
  const targetVideo = isVideo(target) ? await readVideoInfo(target, 'target video') : null;
  const referenceAsset =
    input.faces === 'reference' && input.reference ? await ctx.assets.input(input.reference) : null;
  const reference = referenceAsset ? await readImage(referenceAsset, 'reference image') : null;

  ctx.progress(0, 'loading models');
  const acquired = await acquireFaceSwapModels(ctx.models.acquire, input);
  try {
    const processor = new FaceSwapProcessor(acquired.models, settingsOf(input));
    ctx.record({
      detector: acquired.models.detector.kind,
      modelsUsed: acquired.used,
      restore: input.restore,
    });
    ctx.signal.throwIfAborted();
    ctx.progress(0.02, 'reading the source faces');
    const sourceFaces = await processor.setSources(sources);
    ctx.record({
      sources: sourceFaces.map((face, i) => ({
        name: sources[i]?.name,
        box: face.box.map(Math.round),
        landmarks: face.landmarks,
      })),
    });
    if (input.faces === 'reference') {
      if (reference && referenceAsset) {
        await processor.setReference(reference, `the reference image "${referenceAsset.name}"`);
      } else if (targetImage) {
        await processor.setReference(targetImage, `the target image "${target.name}"`);
      } else if (targetVideo) {
        const frame = await decodeFrameAt(target, targetVideo, input.referenceFrame, ctx.signal);
        await processor.setReference(
          frame,
          `frame ${input.referenceFrame} of the target video "${target.name}"`,
        );
      }
    }
    if (targetImage) await swapImage(ctx, processor, target, targetImage, outputFormat(input, target));
    else if (targetVideo) await swapVideo(ctx, processor, target, targetVideo, { crf: input.videoQuality });
  } finally {
    acquired.release();
  }
}
