// A portrait animation job: prepare the portrait, stream the driving motion, render and paste every
// frame, encode at the driving rate with its audio; optionally save the motion as a template.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEncoder, type RgbImage, type VideoEncoder } from '@visage/inference';
import { FrameProgress } from '../frame-progress.ts';
import { readImage } from '../inputs.ts';
import type { RunContext } from '../types.ts';
import { type AnimateSettings, LivePortraitAnimator } from './animator.ts';
import { sideBySide } from './compose.ts';
import { type DrivingStep, drivingSteps, fpsOf, frameCountOf, openDriving, posterOf } from './driving.ts';
import { acquireLivePortraitModels } from './acquire.ts';
import type { LiveportraitInput } from './schema.ts';
import { encodeMotionTemplate, type MotionFrame } from './template.ts';

const REGIONS = { all: 'all', expression: 'exp', pose: 'pose', lips: 'lip', eyes: 'eyes' } as const;

export function animateSettings(
  input: Omit<LiveportraitInput, 'source' | 'driving' | 'motion'>,
  fps: number,
): AnimateSettings {
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
  const total = frameCountOf(driving);

  ctx.progress(0, 'loading models');
  const acquired = await acquireLivePortraitModels(ctx.models.acquire, input);
  const dir = await mkdtemp(path.join(os.tmpdir(), `visage-liveportrait-${ctx.jobId}-`));
  const outPath = path.join(dir, 'result.mp4');
  let encoder: VideoEncoder | undefined;
  let next: Promise<IteratorResult<DrivingStep>> | undefined;
  let steps: AsyncGenerator<DrivingStep> | undefined;
  try {
    const { models } = acquired;
    ctx.record({ modelsUsed: acquired.used, detector: models.detector.kind });
    ctx.progress(0.02, 'preparing the portrait');
    const source = await LivePortraitAnimator.prepare(models, portrait, sourceAsset.name);
    const animator = new LivePortraitAnimator(models, animateSettings(input, fps), source);
    const timings = { decode: 0, motion: 0, keypoints: 0, render: 0, paste: 0, encode: 0 };
    const saved: MotionFrame[] = [];
    let poster: RgbImage | null = null;
    const progress = new FrameProgress(ctx, total);
    let frames = 0;
    const started = performance.now();

    // Set by the driving pre-pass (a holder: TypeScript does not follow assignments in callbacks).
    const cropped: { found: { tracked: boolean; samples: number } | null } = { found: null };
    steps = drivingSteps(driving, animator, models, {
      crop: input.cropDriving,
      signal: ctx.signal,
      timings,
      onCrop: (found) => {
        cropped.found = found;
      },
    });
    // The next frame is decoded, cropped and its motion extracted while this one renders: two
    // sessions run at once and the CPU work of one frame hides behind the other's inference.
    next = steps.next();
    for (;;) {
      const current = await next;
      if (current.done) break;
      const step = current.value;
      next = steps.next();
      next.catch(() => undefined); // awaited in the next turn or in `finally`; never unhandled
      ctx.signal.throwIfAborted();
      if (input.saveMotion && driving.kind === 'video') {
        saved.push(step.motion);
        if (!poster && step.crop) poster = await posterOf(step.crop);
      }
      let t = performance.now();
      const keypoints = await animator.keypointsFor(step.motion, step.timeMs);
      timings.keypoints += performance.now() - t;
      t = performance.now();
      const face = await animator.render(keypoints);
      timings.render += performance.now() - t;
      t = performance.now();
      let out = animator.compose(face, input.pasteBack);
      if (input.sideBySide && step.frame) out = await sideBySide(step.frame, out);
      timings.paste += performance.now() - t;
      t = performance.now();
      encoder ??= await createEncoder(outPath, {
        width: out.width,
        height: out.height,
        fps,
        crf: input.videoQuality,
        ...(input.keepAudio && driving.kind === 'video' && driving.info.hasAudio
          ? { audioFrom: driving.asset.path }
          : {}),
      });
      await encoder.write(out.data);
      timings.encode += performance.now() - t;
      frames++;
      await progress.frameDone(out);
    }
    if (!encoder) throw new Error('The driving input has no frames');
    ctx.progress(0.96, 'finishing the video');
    let t = performance.now();
    await encoder.finish();
    timings.encode += performance.now() - t;
    const wallMs = performance.now() - started;
    ctx.record({
      source: {
        landmarks: source.landmarks,
        cropSide: Math.round(source.crop.side),
        size: [source.image.width, source.image.height],
        ...(source.image === portrait ? {} : { scaledFrom: [portrait.width, portrait.height] }),
      },
      driving:
        driving.kind === 'video'
          ? {
              kind: 'video',
              cropped: input.cropDriving,
              // How the clip's face square was found: 203 points tracked on every frame, or the detector.
              ...(cropped.found
                ? {
                    faceFoundBy: cropped.found.tracked ? 'landmarks203 tracking' : 'detector',
                    samples: cropped.found.samples,
                  }
                : {}),
            }
          : { kind: 'motion template' },
      video: {
        frames,
        fps,
        audio: Boolean(input.keepAudio && driving.kind === 'video' && driving.info.hasAudio),
      },
      stageMs: Object.fromEntries(
        Object.entries({ ...timings, total: wallMs }).map(([k, v]) => [k, Math.round(v * 10) / 10]),
      ),
      framesPerSecond: Math.round((frames / (wallMs / 1000)) * 100) / 100,
    });
    t = performance.now();
    await ctx.assets.writeOutput({ slot: 'result', path: outPath });
    if (input.saveMotion && driving.kind === 'video' && poster) {
      const template = await encodeMotionTemplate(
        {
          fps,
          source: { name: driving.asset.name, width: driving.info.width, height: driving.info.height },
          frames: saved,
        },
        poster,
      );
      await ctx.assets.writeOutput({ slot: 'motion', data: template, kind: 'motion' });
    }
  } catch (error) {
    await encoder?.abort();
    throw error;
  } finally {
    // A motion extraction still running must end before its sessions are released.
    await next?.catch((error: unknown) =>
      ctx.log.warn({ err: error }, 'reading the next driving frame failed after the job had stopped'),
    );
    await steps?.return(undefined); // stops the decoder (ffmpeg) when the loop ended early
    acquired.release();
    await rm(dir, { recursive: true, force: true });
  }
}
