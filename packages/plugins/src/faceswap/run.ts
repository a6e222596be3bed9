// A face swap job: read the sources and learn the identity, then swap an image or stream a video.
import type { RgbImage } from '@visage/inference';
import { isImage, isVideo, readImage, readVideoInfo } from '../inputs.ts';
import { PluginInputError, type RunContext } from '../types.ts';
import { acquireFaceSwapModels } from './acquire.ts';
import { SWAPPER_FACTS } from './model-ids.ts';
import { outputFormat } from './output-format.ts';
import { FaceSwapProcessor, type FaceSwapSettings } from './processor.ts';
import { swapImage } from './run-image.ts';
import { decodeFrameAt, swapVideo } from './run-video.ts';
import type { FaceswapInput } from './schema.ts';
import { pixelBoostSize } from './swap.ts';

export function settingsOf(
  input: Omit<
    FaceswapInput,
    | 'source'
    | 'target'
    | 'reference'
    | 'referenceFrame'
    | 'faceMap'
    | 'mapFrame'
    | 'videoQuality'
    | 'imageFormat'
    | 'saveMask'
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
      maskPadding: [
        input.maskPaddingTop,
        input.maskPaddingRight,
        input.maskPaddingBottom,
        input.maskPaddingLeft,
      ],
      colorCorrection: input.colorCorrection,
      mouthMask: input.mouthMask,
      pixelBoost: input.pixelBoost,
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
    const { swapper } = acquired.models;
    // A pixel boost the swapper cannot take fails here, before any face is read.
    const cropSize = pixelBoostSize(swapper, input.pixelBoost);
    const processor = new FaceSwapProcessor(acquired.models, settingsOf(input));
    ctx.record({
      detector: acquired.models.detector.kind,
      swapper: {
        model: swapper.id,
        chosen: input.swapper,
        size: swapper.preprocess.size,
        pixelBoost: input.pixelBoost,
        cropSize,
        licence: SWAPPER_FACTS[swapper.id].licence,
        commercialUse: SWAPPER_FACTS[swapper.id].commercialUse,
      },
      modelsUsed: acquired.used,
      restore: input.restore,
    });
    ctx.signal.throwIfAborted();
    ctx.progress(0.02, 'reading the source faces');
    const sourceFaces =
      input.faces === 'map'
        ? await processor.setIdentities(sources.map((s, i) => ({ ...s, id: input.source[i] as string })))
        : await processor.setSources(sources);
    ctx.record({
      sources: sourceFaces.map((face, i) => ({
        name: sources[i]?.name,
        box: face.box.map(Math.round),
        landmarks: face.landmarks,
      })),
    });
    if (input.faces === 'map') {
      const picture =
        targetImage ??
        (targetVideo ? await decodeFrameAt(target, targetVideo, input.mapFrame, ctx.signal) : null);
      if (!picture) throw new Error('runFaceswap: no target picture to map faces on');
      const where = targetImage
        ? `the target image "${target.name}"`
        : `frame ${input.mapFrame} of the target video "${target.name}"`;
      const people = await processor.setFaceMap(picture, input.faceMap, where);
      ctx.record({
        faceMap: people.map(({ entry, found }) => ({
          box: entry.box.map(Math.round),
          source: entry.source,
          sourceName: sources[input.source.indexOf(entry.source)]?.name,
          matched: true,
          face: found.map(Math.round),
        })),
      });
    }
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
    if (targetImage) {
      await swapImage(ctx, processor, target, targetImage, outputFormat(input, target), input.saveMask);
    } else if (targetVideo) {
      await swapVideo(ctx, processor, target, targetVideo, {
        crf: input.videoQuality,
        saveMask: input.saveMask,
      });
    }
  } finally {
    acquired.release();
  }
}
