// A portrait animation job on the shared frame loop (frames/run-frame-job.ts): prepare the portrait,
// then the next driving frame's motion is extracted while this one renders and is pasted; encoded
// at the driving rate with its audio. Optionally the motion is saved as a template.
import { autoVideoDecoder, type RgbImage } from '@visage/inference';
import type { SequenceFrame } from '../frames/pipeline.ts';
import { runFrameJob } from '../frames/run-frame-job.ts';
import { readImage } from '../inputs.ts';
import type { RunContext } from '../types.ts';
import { acquireLivePortraitModels } from './acquire.ts';
import { type AnimateSettings, LivePortraitAnimator } from './animator.ts';
import {
  cropsDriving,
  type DrivingTrack,
  drivingFrames,
  fpsOf,
  frameCountOf,
  openDriving,
  posterOf,
  trackDrivingVideo,
  trackedLocation,
} from './driving.ts';
import { animationPipeline, type DrivingLocation } from './frame-pipeline.ts';
import { followsDrivingRatios } from './needs.ts';
import type { LiveportraitInput, LiveportraitLiveInput } from './schema.ts';
import { encodeMotionTemplate, type MotionFrame } from './template.ts';

const REGIONS = { all: 'all', expression: 'exp', pose: 'pose', lips: 'lip', eyes: 'eyes' } as const;

export function animateSettings(input: Omit<LiveportraitLiveInput, 'source'>, fps: number): AnimateSettings {
  return {
    mode: input.mode,
    region: REGIONS[input.region],
    multiplier: input.multiplier,
    smoothing: input.smoothing,
    stitching: input.stitching,
    eyeRetargeting: input.eyeRetargeting,
    ...(input.eyeOpen === undefined ? {} : { eyeOpen: input.eyeOpen }),
    lipRetargeting: input.lipRetargeting,
    ...(input.lipOpen === undefined ? {} : { lipOpen: input.lipOpen }),
    normalizeLips: input.normalizeLips,
    fps,
  };
}

export async function runLiveportrait(ctx: RunContext, input: LiveportraitInput): Promise<void> {
  const sourceAsset = await ctx.assets.input(input.source);
  const portrait = await readImage(sourceAsset, 'source image');
  const drivingId = input.driving ?? input.motion;
  if (!drivingId) throw new Error('liveportrait: neither a driving video nor a motion template');
  const driving = await openDriving(await ctx.assets.input(drivingId), input.driving ? 'video' : 'template');
  const fps = fpsOf(driving);
  const withAudio = Boolean(input.keepAudio && driving.kind === 'video' && driving.info.hasAudio);

  ctx.progress(0, 'loading models');
  const acquired = await acquireLivePortraitModels(ctx.models.acquire, input);
  try {
    const { models } = acquired;
    ctx.record({ modelsUsed: acquired.used, detector: models.detector.kind });
    ctx.progress(0.02, 'preparing the portrait');
    const source = await LivePortraitAnimator.prepare(models, portrait, sourceAsset.name);
    const animator = new LivePortraitAnimator(models, animateSettings(input, fps), source);
    const pastesIntoPortrait = input.pasteBack && input.stitching && !input.sideBySide;
    // LP's pre-pass over a driving video (§5.5), on its first frame: the face tracked on every frame
    // for the clip's face square when the video is cropped, and for each frame's eye/lip ratios when
    // retargeting follows them or the motion is saved.
    const crop = cropsDriving(driving, input.cropDriving);
    const ratios = followsDrivingRatios(input) || input.saveMotion;
    let track: DrivingTrack | null = null;
    let locate: ((frame: SequenceFrame) => DrivingLocation) | null = null;
    const pipeline = animationPipeline(animator, {
      async locate(frame) {
        if (!locate) {
          if (driving.kind !== 'video') throw new Error('liveportrait: a motion template has no pictures');
          track = await trackDrivingVideo(models, driving, { crop, ratios }, ctx.signal);
          locate = trackedLocation(track);
        }
        return locate(frame);
      },
      pasteBack: input.pasteBack,
      sideBySide: input.sideBySide,
      // The portrait with the face pasted goes to the encoder as yuv420p: only the face is converted.
      format: 'yuv420p',
    });
    const saved = { frames: [] as MotionFrame[], poster: null as RgbImage | null };
    // The decoder the driving video's frames come through (decodeFrames' 'auto' makes the same choice).
    const decoder = driving.kind === 'video' ? (await autoVideoDecoder()).decoder : null;
    await runFrameJob(ctx, {
      name: 'liveportrait',
      what: 'The driving input',
      frames: drivingFrames(driving, ctx.signal),
      total: frameCountOf(driving),
      pipeline,
      encoder: {
        fps,
        crf: input.videoQuality,
        ...(withAudio ? { audioFrom: driving.asset.path } : {}),
        // The portrait with the face pasted in is the output: its size is known, so the encoder
        // starts now rather than after the driving pre-pass and the first frame.
        ...(pastesIntoPortrait
          ? {
              expect: {
                width: source.image.width & ~1,
                height: source.image.height & ~1,
                pixelFormat: 'yuv420p' as const,
              },
            }
          : {}),
      },
      onFrame: async (_, { motion, crop }) => {
        if (!input.saveMotion || driving.kind !== 'video') return;
        saved.frames.push(motion);
        if (!saved.poster && crop) saved.poster = await posterOf(crop);
      },
      stages: ({ decode, analyse, encode, total }) => ({
        decode,
        motion: analyse,
        ...pipeline.timings,
        encode,
        total,
      }),
      metadata: ({ frames, codec }) => ({
        source: {
          cropSide: Math.round(source.crop.side),
          size: [source.image.width, source.image.height],
          ...(source.image === portrait ? {} : { scaledFrom: [portrait.width, portrait.height] }),
        },
        driving:
          driving.kind === 'video'
            ? {
                kind: 'video',
                cropped: crop,
                ...(track
                  ? {
                      faceFoundBy: track.tracked ? 'landmarks203 tracking' : 'detector',
                      samples: track.samples,
                    }
                  : {}),
              }
            : { kind: 'motion template' },
        video: { frames, fps, codec, decoder, audio: withAudio },
      }),
    });
    if (saved.poster && driving.kind === 'video') {
      const template = await encodeMotionTemplate(
        {
          fps,
          source: { name: driving.asset.name, width: driving.info.width, height: driving.info.height },
          frames: saved.frames,
        },
        saved.poster,
      );
      await ctx.assets.writeOutput({ slot: 'motion', data: template, kind: 'motion' });
    }
  } finally {
    acquired.release();
  }
}
