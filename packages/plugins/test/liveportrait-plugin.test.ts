// The portrait animation plugin end to end: the real BlazeFace on astronaut.png, fixture models with
// the FasterLivePortrait I/O, a driving clip made from the same photo (panning, with a tone).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  autoH264Encoder,
  autoVideoDecoder,
  createSession,
  decodeFrames,
  decodeImage,
  findModel,
  frameImage,
  framePicture,
  ModelManager,
  ModelMissingError,
  pasteRegion,
  probeVideo,
  type RgbImage,
} from '@visage/inference';
import { ffmpegChildren } from '@visage/inference/testing';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelCatalog } from '../src/catalog.ts';
import { BLAZEFACE_MODEL_PATH } from '../src/face/blazeface.ts';
import { acquireLivePortraitModels } from '../src/liveportrait/acquire.ts';
import { type AnimateSettings, fitSource, LivePortraitAnimator } from '../src/liveportrait/animator.ts';
import {
  drivingFaceCrop,
  type FaceSquare,
  largestFace,
  pasteMask,
  squareCropping,
} from '../src/liveportrait/crop.ts';
import { openDriving, trackDrivingVideo } from '../src/liveportrait/driving.ts';
import { liveportraitPlugin, openLivePortraitFrameProcessor } from '../src/liveportrait/index.ts';
import { decodeMotionTemplate } from '../src/liveportrait/template.ts';
import { PluginInputError } from '../src/types.ts';
import {
  ASTRONAUT,
  fixtureModelManager,
  imageAsset,
  quiet,
  recordingContext,
  videoAsset,
  writeAstronautClip,
  writeFixtureModels,
} from './support/faceswap.ts';
import { LP_FIXTURE_SPECS } from './support/liveportrait.ts';

const PORTRAIT = '0190c5a0-0000-7000-8000-00000000003a';
const CLIP = '0190c5a0-0000-7000-8000-00000000003b';
const BLANK = '0190c5a0-0000-7000-8000-00000000003c';
const BLACK_CLIP = '0190c5a0-0000-7000-8000-00000000003d';
const BROKEN = '0190c5a0-0000-7000-8000-00000000003e';
const TEMPLATE = '0190c5a0-0000-7000-8000-00000000003f';

let dir: string;
let models: ModelManager;
let files: Record<string, string>;
let clip: string;
let astronaut: RgbImage;
let inputs: Record<string, ReturnType<typeof imageAsset>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-liveportrait-'));
  files = await writeFixtureModels(dir, LP_FIXTURE_SPECS);
  models = fixtureModelManager(files);
  astronaut = await decodeImage(ASTRONAUT);
  clip = path.join(dir, 'driving.mp4');
  await writeAstronautClip(clip, { frames: 12, fps: 10 });
  const blackClip = path.join(dir, 'black.mp4');
  await writeAstronautClip(blackClip, { frames: 4, fps: 10, black: [0, 1, 2, 3] });
  const blank = path.join(dir, 'grey.png');
  await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080' } })
    .png()
    .toFile(blank);
  const broken = path.join(dir, 'broken.mp4');
  await writeFile(broken, Buffer.alloc(4096, 3));
  inputs = {
    [PORTRAIT]: imageAsset(ASTRONAUT, 'astronaut.png'),
    [CLIP]: videoAsset(clip, 'driving.mp4'),
    [BLANK]: imageAsset(blank, 'grey.png'),
    [BLACK_CLIP]: videoAsset(blackClip, 'black.mp4'),
    [BROKEN]: videoAsset(broken, 'broken.mp4'),
  };
});
afterAll(async () => {
  await models.unloadAll();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env.VISAGE_MAX_DRIVING_SECONDS;
});

const boxCentre = (face: { box: readonly number[] } | null): [number, number] => {
  const [x1, y1, x2, y2] = face?.box ?? [];
  return [((x1 ?? Number.NaN) + (x2 ?? Number.NaN)) / 2, ((y1 ?? Number.NaN) + (y2 ?? Number.NaN)) / 2];
};

/** Relative motion with every extra off: each animator test turns on what it checks. */
const PLAIN: AnimateSettings = {
  mode: 'relative',
  region: 'all',
  multiplier: 1,
  smoothing: 0,
  stitching: false,
  eyeRetargeting: false,
  lipRetargeting: false,
  normalizeLips: true,
  fps: 10,
};

/** A driving frame with the given head angles, a neutral expression and the given eye/lip ratios. */
const drivingFrame = (pitch: number, yaw: number, roll: number, eye = Number.NaN, lip = Number.NaN) => ({
  pitch,
  yaw,
  roll,
  t: new Float32Array(3),
  exp: new Float32Array(63),
  scale: 1,
  eyeRatios: [eye, eye] as [number, number],
  lipRatio: lip,
});

const input = (overrides: Record<string, unknown> = {}) =>
  liveportraitPlugin.input.parse({ source: PORTRAIT, driving: CLIP, ...overrides });

async function tempLeftovers(jobId: string): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith(`visage-liveportrait-${jobId}-`));
}

describe('portrait animation', () => {
  it("should render the driving clip's frame count at its fps with its audio, and save the motion", async () => {
    const { ctx, outputs, metadata, progress } = recordingContext(models, inputs, { jobId: 'lp-ok' });
    await liveportraitPlugin.run(ctx, input({ saveMotion: true }));
    expect(outputs.map((o) => o.slot)).toEqual(['result', 'motion']);
    const out = path.join(dir, 'out.mp4');
    await writeFile(out, outputs[0]?.data as Uint8Array);
    const [before, after] = await Promise.all([probeVideo(clip), probeVideo(out)]);
    expect(after.frameCount).toBe(12);
    expect(after.frameRate).toBe(before.frameRate);
    expect(after.hasAudio).toBe(true);
    expect([after.width, after.height]).toEqual([512, 512]); // the portrait's size

    // Pixels away from the pasted face are the portrait's (up to H.264's loss).
    const acquired = await acquireLivePortraitModels((id) => models.acquire(id), input());
    const source = await LivePortraitAnimator.prepare(acquired.models, astronaut, 'astronaut.png').finally(
      () => acquired.release(),
    );
    const region = pasteRegion(astronaut, { width: 512, height: 512 }, source.crop.inverse);
    let outsideDiff = 0;
    let outsideCount = 0;
    for await (const frame of decodeFrames(out, { durationMs: 100 })) {
      for (let y = 0; y < frame.height; y += 4) {
        for (let x = 0; x < frame.width; x += 4) {
          if (
            x >= region.x - 4 &&
            x < region.x + region.width + 4 &&
            y >= region.y - 4 &&
            y < region.y + region.height + 4
          )
            continue;
          const i = (y * frame.width + x) * 3;
          outsideDiff += Math.abs((frame.data[i] ?? 0) - (astronaut.data[i] ?? 0));
          outsideCount++;
        }
      }
    }
    expect(outsideCount).toBeGreaterThan(100);
    expect(outsideDiff / outsideCount).toBeLessThan(4);

    const template = decodeMotionTemplate(outputs[1]?.data as Uint8Array);
    expect(template.frames).toHaveLength(12);
    // Each frame's eye/lip ratios, from the face tracked on that frame (LP's motion templates keep them).
    for (const f of template.frames) expect([...f.eyeRatios, f.lipRatio].every(Number.isFinite)).toBe(true);
    expect(template.fps).toBe(before.fps);
    expect((await sharp(outputs[1]?.data).metadata()).format).toBe('png'); // the poster still shows as an image

    const used = metadata.modelsUsed as { id: string; role: string; provider: string }[];
    // The 203-point and lip models are installed here: not needed without retargeting, but used to
    // track the face and to close an open source mouth first.
    expect(used.map((m) => m.role)).toEqual([
      'detector',
      'landmarks106',
      'appearance',
      'motion',
      'warping',
      'stitching',
      'lip normalisation',
      'landmarks203',
    ]);
    // A square clip is used whole (LP crops it only when asked); its face is still tracked on every frame.
    expect(metadata.driving).toEqual({
      kind: 'video',
      cropped: false,
      faceFoundBy: 'landmarks203 tracking',
      samples: 12,
    });
    expect(used.every((m) => m.provider === 'cpu')).toBe(true);
    // The job records the encoder and decoder this machine chose (libx264 and software without a GPU).
    const [{ codec }, { decoder }] = await Promise.all([autoH264Encoder(), autoVideoDecoder()]);
    expect(metadata.video).toEqual({ frames: 12, fps: before.fps, codec, decoder, audio: true });
    expect(progress.some((p) => p.stage === 'frame 12/12')).toBe(true);
    expect(progress.some((p) => p.preview?.mime === 'image/jpeg')).toBe(true);
    expect(await tempLeftovers('lp-ok')).toEqual([]);

    // The saved motion animates the portrait again without the video (no audio then).
    const templateFile = path.join(dir, 'motion.png');
    await writeFile(templateFile, outputs[1]?.data as Uint8Array);
    const again = recordingContext(models, { ...inputs, [TEMPLATE]: imageAsset(templateFile, 'motion.png') });
    await liveportraitPlugin.run(
      again.ctx,
      liveportraitPlugin.input.parse({ source: PORTRAIT, motion: TEMPLATE }),
    );
    const replay = path.join(dir, 'replay.mp4');
    await writeFile(replay, again.outputs[0]?.data as Uint8Array);
    const replayed = await probeVideo(replay);
    expect(replayed.frameCount).toBe(12);
    expect(replayed.hasAudio).toBe(false);
  });

  it('should crop the driving clip with the average face square over the clip', async () => {
    const acquired = await acquireLivePortraitModels((id) => models.acquire(id), input());
    try {
      const driving = await openDriving(
        { id: CLIP, ...(inputs[CLIP] as ReturnType<typeof videoAsset>) },
        'video',
      );
      if (driving.kind !== 'video') throw new Error('expected a video');
      // Without the 203-point model: the detector, 5 times a second.
      const detectorOnly = { ...acquired.models, landmark203: null };
      const average = await trackDrivingVideo(
        detectorOnly,
        driving,
        { crop: true, ratios: false },
        new AbortController().signal,
      );
      expect(average.tracked).toBe(false);
      expect(average.ratios).toBeNull();
      expect(average.samples).toBe(6); // 12 frames at 10 fps, looked at 5 times a second
      // The clip pans 8 px a frame, so the face moves left: the average lies between the ends.
      const centres: number[] = [];
      for await (const f of decodeFrames(clip)) {
        if (f.index !== 0 && f.index !== 10) continue;
        const found = await drivingFaceCrop(acquired.models, {
          width: f.width,
          height: f.height,
          channels: 3,
          data: f.data,
        });
        centres.push(found?.crop.centre[0] ?? Number.NaN);
      }
      const [first, last] = centres as [number, number];
      expect(first - last).toBeGreaterThan(40); // 10 frames × 8 px × 320/400 = 64 px
      const centreX = average.square?.centre[0] ?? Number.NaN;
      expect(centreX).toBeLessThan(first);
      expect(centreX).toBeGreaterThan(last);
      const cropping = squareCropping(average.square as FaceSquare);
      expect(cropping.matrix[1]).toBe(0); // upright, as LP crops driving frames
      expect(cropping.size).toBe(512); // then halved to 256², as LP's cv2.resize of its 512² crop
    } finally {
      acquired.release();
    }
  });

  it("should track the driving face with the 203-point model on every frame, seeded by 2d106det as LP does, for each frame's ratios", async () => {
    // A landmark model that always finds the same face in its crop: a ring of points centred 0.1 below
    // the crop's middle, 2/3 of the crop wide, eyes above the lip. LP builds the next crop from those
    // points at scale 1.5, shifted up 0.1: the very crop they came from, so tracking holds still and
    // every frame's driving square is the first frame's. Eyes 0.1 of the crop wide, open 0.02 (left)
    // and 0.03 (right); mouth 0.2 wide, open 0.05: ratios 0.2, 0.3 and 0.25 (similarity-invariant).
    const crop = Array.from({ length: 203 }, (): [number, number] => [0.5, 0.6]);
    for (const [i, point] of [
      [1, [0.5 - 1 / 3, 0.6]],
      [2, [0.5 + 1 / 3, 0.6]],
      [3, [0.5, 0.6 - 1 / 3]],
      [4, [0.5, 0.6 + 1 / 3]],
      [0, [0.35, 0.55]],
      [12, [0.45, 0.55]],
      [6, [0.4, 0.54]],
      [18, [0.4, 0.56]],
      [24, [0.55, 0.55]],
      [36, [0.65, 0.55]],
      [30, [0.6, 0.535]],
      [42, [0.6, 0.565]],
      [48, [0.4, 0.75]],
      [66, [0.6, 0.75]],
      [90, [0.5, 0.725]],
      [102, [0.5, 0.775]],
    ] as [number, [number, number]][]) {
      crop[i] = point;
    }
    const spec = LP_FIXTURE_SPECS.liveportrait_landmark;
    await mkdir(path.join(dir, 'tracking'), { recursive: true });
    const tracking = await writeFixtureModels(path.join(dir, 'tracking'), {
      liveportrait_landmark: {
        ...spec,
        outputs: spec.outputs.map((o) => (o.name === '856' ? { ...o, values: crop.flat() } : o)),
      },
    });
    const manager = fixtureModelManager({ ...files, ...tracking });
    const acquired = await acquireLivePortraitModels((id) => manager.acquire(id), input());
    try {
      expect(acquired.used.map((u) => u.role)).toContain('landmarks203'); // installed: used, not required
      const driving = await openDriving(
        { id: CLIP, ...(inputs[CLIP] as ReturnType<typeof videoAsset>) },
        'video',
      );
      if (driving.kind !== 'video') throw new Error('expected a video');
      const { landmark203, landmark106 } = acquired.models;
      const session = landmark203 as NonNullable<typeof landmark203>;
      const [before, before106] = [session.stats().runs, landmark106.stats().runs];
      const track = await trackDrivingVideo(
        acquired.models,
        driving,
        { crop: true, ratios: true },
        new AbortController().signal,
      );
      expect(track.tracked).toBe(true);
      expect(track.samples).toBe(12); // every frame
      // Frame 0: the 203-point crop is made from 2d106det's points; every later frame from the last 203.
      expect(landmark106.stats().runs - before106).toBe(1);
      expect(session.stats().runs - before).toBe(12);
      const ratios = track.ratios as Float32Array;
      expect(ratios).toHaveLength(3 * 12);
      for (let f = 0; f < 12; f++) {
        expect(ratios[3 * f]).toBeCloseTo(0.2, 4);
        expect(ratios[3 * f + 1]).toBeCloseTo(0.3, 4);
        expect(ratios[3 * f + 2]).toBeCloseTo(0.25, 4);
      }

      // Frame 0's face box b (side sb, centre c): 2d106det's fixture points span 0.9·sb about c (see
      // face106Values), so the 203-point crop is 1.35·sb wide around c moved up 0.135·sb; the ring sits
      // on c with 2/3 of that, 0.9·sb, as its extent; the driving square is 2.2 × 0.9·sb = 1.98·sb,
      // moved up 0.1 of itself.
      let box: readonly number[] = [];
      // The box on the picture the pre-pass looks at: the frame in the video's own yuv420p.
      for await (const f of decodeFrames(clip, { pixelFormat: 'yuv420p' })) {
        const face = await largestFace(acquired.models, framePicture(f));
        box = face?.box ?? [];
        break;
      }
      const [x1, y1, x2, y2] = box as [number, number, number, number];
      const sb = Math.max(x2 - x1, y2 - y1);
      const square = track.square as FaceSquare;
      expect(square.side).toBeCloseTo(1.98 * sb, 1);
      expect(square.centre[0]).toBeCloseTo((x1 + x2) / 2, 1);
      expect(square.centre[1]).toBeCloseTo((y1 + y2) / 2 - 0.198 * sb, 1);
    } finally {
      acquired.release();
      await manager.unloadAll();
    }
  });

  it('should run the warping model on the CPU and the others on CoreML on a Mac, and say so', async () => {
    // A Mac's chain is CoreML → CPU; the catalog keeps warping_spade (5-D GridSample) off CoreML. CoreML
    // is not on this machine, so each session runs on the CPU but reports the provider it was given.
    const files = await writeFixtureModels(dir, LP_FIXTURE_SPECS);
    const chains: Record<string, string[]> = {};
    const mac = new ModelManager({
      budgetBytes: 2 ** 31,
      providers: ['coreml', 'cpu'],
      log: quiet,
      locator: {
        async locate(id) {
          const file = id === 'blazeface' ? BLAZEFACE_MODEL_PATH : files[id];
          if (!file) throw new ModelMissingError([{ id, state: 'missing' }]);
          return { path: file, bytes: 1, providers: findModel(id, modelCatalog()).providers };
        },
      },
      load: async (id, location, chain) => {
        chains[id] = [...chain];
        const session = await createSession(location.path, { id, providers: ['cpu'], log: quiet });
        return { ...session, provider: chain[0] ?? 'cpu' };
      },
    });
    try {
      const { ctx, metadata } = recordingContext(mac, inputs);
      await liveportraitPlugin.run(ctx, input({ keepAudio: false }));
      expect(chains.liveportrait_warping_spade).toEqual(['cpu']);
      expect(chains.liveportrait_motion_extractor).toEqual(['coreml', 'cpu']);
      const used = metadata.modelsUsed as { role: string; provider: string }[];
      expect(Object.fromEntries(used.map((m) => [m.role, m.provider]))).toMatchObject({
        warping: 'cpu',
        motion: 'coreml',
        appearance: 'coreml',
        stitching: 'coreml',
      });
    } finally {
      await mac.unloadAll();
    }
  });

  it('should paste an all-white face as exactly the mask ramp', () => {
    // A black 512² portrait whose crop is the whole image (identity): the result is 255·mask.
    // A Buffer, as sharp decodes images: its slice() is a view, so only a real copy keeps it untouched.
    const black: RgbImage = { width: 512, height: 512, channels: 3, data: Buffer.alloc(512 * 512 * 3) };
    const identity = Float64Array.from([1, 0, 0, 0, 1, 0]);
    const animator = new LivePortraitAnimator({} as never, PLAIN, {
      image: black,
      crop: { matrix: identity, inverse: identity, centre: [256, 256], side: 512, angle: 0 },
    } as never);
    const white = new Float32Array(3 * 512 * 512).fill(1); // W+G's planes, 0..1
    const out = animator.pasteIntoSource(white);
    const mask = pasteMask(512);
    for (const [x, y] of [
      [0, 256],
      [8, 256],
      [16, 256],
      [256, 256],
      [8, 8],
      [511, 300],
      [300, 4],
    ] as const) {
      expect(out.data[(y * 512 + x) * 3]).toBe(Math.round(255 * (mask[y * 512 + x] ?? 0)));
    }
    expect(out.data[(256 * 512 + 8) * 3]).toBe(127); // 8 px in: LP's template has floor(255·8/16) there
    expect(black.data.every((v) => v === 0)).toBe(true); // the portrait itself is untouched
    expect(animator.pasteIntoSource(new Float32Array(3 * 512 * 512)).data.every((v) => v === 0)).toBe(true);
  });

  it("should close an open source mouth first with the lip model (LP's lip normalisation), relative motion only", async () => {
    const acquired = await acquireLivePortraitModels((id) => models.acquire(id), input({ stitching: false }));
    try {
      expect(acquired.used.map((u) => u.role)).toContain('lip normalisation');
      const prepared = await LivePortraitAnimator.prepare(acquired.models, astronaut, 'astronaut.png');
      const frame = drivingFrame(2, -1, 0);
      const keypoints = (
        lipRatio: number,
        mode: 'relative' | 'absolute' = 'relative',
        more: Partial<AnimateSettings> = {},
      ) =>
        new LivePortraitAnimator(
          acquired.models,
          { ...PLAIN, mode, ...more },
          { ...prepared, lipRatio },
        ).keypointsFor(frame);
      const closed = await keypoints(0.01); // under LP's 0.03: left as it is
      const open = await keypoints(0.5);
      const { lipRetargetInput } = await import('../src/liveportrait/motion.ts');
      const { runMlp } = await import('../src/liveportrait/networks.ts');
      const delta = await runMlp(
        acquired.models.lip as NonNullable<typeof acquired.models.lip>,
        lipRetargetInput(prepared.keypoints, 0.5, 0),
      );
      for (let i = 0; i < 63; i++) {
        expect(open[i]).toBeCloseTo((closed[i] as number) + (delta[i] as number), 5);
      }
      expect(delta.some((d) => Math.abs(d) > 1e-4)).toBe(true); // the test can tell the two apart
      expect(await keypoints(0.5, 'absolute')).toEqual(await keypoints(0.01, 'absolute'));
      // LP's multiplier comes last, so it scales the normalisation too: x_s + (x + δ − x_s)·2.
      const [open2, closed2] = await Promise.all([
        keypoints(0.5, 'relative', { multiplier: 2 }),
        keypoints(0.01, 'relative', { multiplier: 2 }),
      ]);
      for (const i of [0, 20, 62]) {
        expect((open2[i] as number) - (closed2[i] as number)).toBeCloseTo(2 * (delta[i] as number), 5);
      }
      // Turned off, or with retargeting, LP does not normalise the lips.
      expect(await keypoints(0.5, 'relative', { normalizeLips: false })).toEqual(closed);
      const eyesOnly = { eyeRetargeting: true, eyeOpen: 0.3 };
      expect(await keypoints(0.5, 'relative', eyesOnly)).toEqual(await keypoints(0.01, 'relative', eyesOnly));
    } finally {
      acquired.release();
    }
  });

  it('should put the driving video beside the result when asked', async () => {
    const { ctx, outputs, metadata } = recordingContext(models, inputs);
    await liveportraitPlugin.run(ctx, input({ sideBySide: true, keepAudio: false, stitching: false }));
    // A square clip used whole, no ratios wanted: only its first frame is looked at for a face.
    expect(metadata.driving).toMatchObject({ cropped: false, samples: 1 });
    const out = path.join(dir, 'side.mp4');
    await writeFile(out, outputs[0]?.data as Uint8Array);
    const info = await probeVideo(out);
    expect([info.width, info.height]).toEqual([512 + 512, 512]); // a square driving clip scaled to 512 high
    expect(info.hasAudio).toBe(false);
  });

  it('should retarget eyes and lips with the eye, lip and 203-point landmark models', async () => {
    const { ctx, outputs, metadata } = recordingContext(models, inputs);
    await liveportraitPlugin.run(
      ctx,
      input({ eyeRetargeting: true, eyeOpen: 0.3, lipRetargeting: true, keepAudio: false }),
    );
    expect(outputs).toHaveLength(1);
    const roles = (metadata.modelsUsed as { role: string }[]).map((m) => m.role);
    expect(roles).toEqual(expect.arrayContaining(['eye retargeting', 'lip retargeting', 'landmarks203']));

    // LP: with retargeting the new keypoints are x_s + Δeye + Δlip, then stitched.
    const acquired = await acquireLivePortraitModels(
      (id) => models.acquire(id),
      input({ eyeRetargeting: true, lipRetargeting: true, stitching: false }),
    );
    try {
      const source = await LivePortraitAnimator.prepare(acquired.models, astronaut, 'astronaut.png');
      const settings: AnimateSettings = {
        ...PLAIN,
        eyeRetargeting: true,
        eyeOpen: 0.3,
        lipRetargeting: true,
        lipOpen: 0.1,
      };
      const animator = new LivePortraitAnimator(acquired.models, settings, source);
      const frame = drivingFrame(5, -3, 1, 0.2, 0.1);
      const x = await animator.keypointsFor(frame);
      const { eyeRetargetInput, lipRetargetInput } = await import('../src/liveportrait/motion.ts');
      const { runMlp } = await import('../src/liveportrait/networks.ts');
      const xs = source.keypoints;
      const eye = await runMlp(
        acquired.models.eye as never,
        eyeRetargetInput(xs, source.eyeRatios as [number, number], 0.3),
      );
      const lip = await runMlp(
        acquired.models.lip as never,
        lipRetargetInput(xs, source.lipRatio as number, 0.1),
      );
      for (const k of [0, 17, 62]) expect(x[k]).toBeCloseTo((xs[k] ?? 0) + (eye[k] ?? 0) + (lip[k] ?? 0), 5);

      // The multiplier, last, scales the deltas: x_s + 2·(Δeye + Δlip).
      const doubled = await new LivePortraitAnimator(
        acquired.models,
        { ...settings, multiplier: 2 },
        source,
      ).keypointsFor(frame);
      for (const k of [0, 17, 62]) {
        expect(doubled[k]).toBeCloseTo((xs[k] ?? 0) + 2 * ((eye[k] ?? 0) + (lip[k] ?? 0)), 5);
      }
      // Absolute motion keeps the driven keypoints and adds the deltas to them.
      const absolute = await new LivePortraitAnimator(
        acquired.models,
        { ...settings, mode: 'absolute' },
        source,
      ).keypointsFor(frame);
      const { absoluteMotion, keypointsOf, rotationMatrix } = await import('../src/liveportrait/motion.ts');
      const driven = keypointsOf(
        source.motion.kp,
        absoluteMotion(source.motion, {
          ...frame,
          R: rotationMatrix(frame.pitch, frame.yaw, frame.roll),
          kp: source.motion.kp,
        }),
      );
      for (const k of [0, 17, 62]) {
        expect(absolute[k]).toBeCloseTo((driven[k] ?? 0) + (eye[k] ?? 0) + (lip[k] ?? 0), 5);
      }
      expect(Math.abs((driven[0] ?? 0) - (xs[0] ?? 0))).toBeGreaterThan(1e-4); // the two cases differ
    } finally {
      acquired.release();
    }
  });

  it('should stop when cancelled, leaving no output and no temporary files', async () => {
    const controller = new AbortController();
    const { ctx, outputs } = recordingContext(models, inputs, {
      signal: controller.signal,
      jobId: 'lp-cancel',
    });
    const original = ctx.progress;
    ctx.progress = (fraction, stage, preview) => {
      original(fraction, stage, preview);
      if (stage === 'frame 3/12') controller.abort(new Error('cancelled by the user'));
    };
    await expect(liveportraitPlugin.run(ctx, input())).rejects.toThrow('cancelled by the user');
    expect(outputs).toHaveLength(0);
    expect(await tempLeftovers('lp-cancel')).toEqual([]);
    await expect.poll(() => ffmpegChildren()).toEqual([]); // the decoder and encoder are gone
  });

  it('should clean up the same way when the job fails half way', async () => {
    const { ctx, outputs } = recordingContext(models, inputs, { jobId: 'lp-cancel-fail' });
    const original = ctx.progress;
    ctx.progress = (fraction, stage, preview) => {
      original(fraction, stage, preview);
      if (stage === 'frame 3/12') throw new Error('disk full');
    };
    await expect(liveportraitPlugin.run(ctx, input())).rejects.toThrow('disk full');
    expect(outputs).toHaveLength(0);
    expect(await tempLeftovers('lp-cancel-fail')).toEqual([]);
    await expect.poll(() => ffmpegChildren()).toEqual([]);
  });

  it('should animate webcam-like frames one by one with the frame processor', async () => {
    const realtime = await openLivePortraitFrameProcessor(
      (id) => models.acquire(id),
      input({ pasteBack: false }),
      {
        name: 'astronaut.png',
        image: astronaut,
      },
    );
    try {
      const outs = [];
      for await (const frame of decodeFrames(clip, { durationMs: 300 })) {
        const out = await realtime.process({
          width: frame.width,
          height: frame.height,
          channels: 3,
          data: frame.data,
        });
        expect([out.width, out.height]).toEqual([512, 512]);
        outs.push(out);
      }
      expect(outs).toHaveLength(3);
    } finally {
      realtime.close();
    }
  });
});

describe('the camera (frame processor)', () => {
  it('should crop each camera picture around the face found in it, following a face that moves across', async () => {
    // 480×240 pictures (not square: cropped, as LP crops such a video) with the astronaut's head (a
    // 210² tile around it, shown 200² wide) at x = 0, 140 and 280. Without the 203-point model the
    // face is detected afresh in each picture.
    const tile = await decodeImage(
      await sharp(ASTRONAUT)
        .extract({ left: 120, top: 25, width: 210, height: 210 })
        .resize(200, 200)
        .png()
        .toBuffer(),
    );
    const at = (left: number): RgbImage => {
      const image = { width: 480, height: 240, channels: 3 as const, data: new Uint8Array(480 * 240 * 3) };
      for (let y = 0; y < 200; y++) {
        image.data.set(tile.data.subarray(y * 600, (y + 1) * 600), ((y + 20) * 480 + left) * 3);
      }
      return image;
    };
    const { liveportrait_landmark: _, ...untracked } = files;
    const manager = fixtureModelManager(untracked);
    const realtime = await openLivePortraitFrameProcessor(
      (id) => manager.acquire(id),
      input({ pasteBack: false }),
      { name: 'astronaut.png', image: astronaut },
    );
    try {
      const { animator } = realtime;
      expect(animator.models.landmark203).toBeNull();
      const crops: RgbImage[] = [];
      const motionOf = animator.drivingMotion.bind(animator);
      animator.drivingMotion = (crop, ratios) => {
        crops.push(crop);
        return motionOf(crop, ratios);
      };
      const centres: number[] = [];
      for (const left of [0, 140, 280]) {
        const picture = at(left);
        centres.push(boxCentre(await largestFace(animator.models, picture))[0]);
        await realtime.process(picture);
      }
      expect((centres[2] ?? 0) - (centres[0] ?? 0)).toBeGreaterThan(250); // the face crossed the picture
      // In every driving crop the face sits in the same place (to a few of the crop's 512 pixels).
      const inCrop = await Promise.all(
        crops.map(async (c) => boxCentre(await largestFace(animator.models, c))),
      );
      expect(crops.map((c) => c.width)).toEqual([512, 512, 512]);
      const [x0, y0] = inCrop[0] ?? [];
      for (const [x, y] of inCrop.slice(1)) {
        expect(Math.abs(x - (x0 ?? Number.NaN))).toBeLessThan(6);
        expect(Math.abs(y - (y0 ?? Number.NaN))).toBeLessThan(6);
      }
    } finally {
      realtime.close();
      await manager.unloadAll();
    }
  });

  it('should paste the face back only with stitching on, as LP (else the 512² face)', async () => {
    const wide = await decodeImage(await sharp(ASTRONAUT).resize(640, 480, { fit: 'fill' }).png().toBuffer());
    const sizes: number[][] = [];
    for (const stitching of [true, false]) {
      const realtime = await openLivePortraitFrameProcessor(
        (id) => models.acquire(id),
        input({ stitching }),
        {
          name: 'wide.png',
          image: wide,
        },
      );
      try {
        for await (const frame of decodeFrames(clip, { durationMs: 100 })) {
          const out = await realtime.process(frameImage(frame));
          sizes.push([out.width, out.height]);
        }
      } finally {
        realtime.close();
      }
    }
    expect(sizes).toEqual([
      [640, 480],
      [512, 512],
    ]);
  });
});

describe('large portraits', () => {
  it('should animate a portrait over 1280 px at most 1280 px a side, as LP does', async () => {
    const big = await decodeImage(
      await sharp(ASTRONAUT).resize(1600, 1200, { fit: 'fill' }).png().toBuffer(),
    );
    const realtime = await openLivePortraitFrameProcessor((id) => models.acquire(id), input(), {
      name: 'big.png',
      image: big,
    });
    try {
      expect([realtime.animator.source.image.width, realtime.animator.source.image.height]).toEqual([
        1280, 960,
      ]);
      for await (const frame of decodeFrames(clip, { durationMs: 100 })) {
        const out = await realtime.process(frameImage(frame));
        expect([out.width, out.height]).toEqual([1280, 960]);
      }
    } finally {
      realtime.close();
    }
    expect((await fitSource(astronaut)) === astronaut).toBe(true); // 512²: as it is
  });
});

describe('portrait animation errors', () => {
  const run = (overrides: Record<string, unknown>) => {
    const { ctx, outputs } = recordingContext(models, inputs);
    return { promise: liveportraitPlugin.run(ctx, input(overrides)), outputs };
  };

  it('should say there is no face in the source', async () => {
    const { promise, outputs } = run({ source: BLANK });
    await expect(promise).rejects.toThrow(PluginInputError);
    await expect(promise).rejects.toThrow('No face found in the source image "grey.png"');
    expect(outputs).toHaveLength(0);
  });

  it('should say there is no face in the first driving frame', async () => {
    await expect(run({ driving: BLACK_CLIP }).promise).rejects.toThrow(
      'No face found in the first frame of the driving video "black.mp4"',
    );
  });

  it('should name an unreadable driving video', async () => {
    await expect(run({ driving: BROKEN }).promise).rejects.toThrow(
      /The driving video "broken\.mp4" cannot be read/,
    );
  });

  it('should refuse a driving video over the configured length', async () => {
    process.env.VISAGE_MAX_DRIVING_SECONDS = '0.5';
    await expect(run({}).promise).rejects.toThrow(
      'The driving video "driving.mp4" is 0:01 long; the limit is 0:01 (VISAGE_MAX_DRIVING_SECONDS)',
    );
  });

  it('should refuse an image that is not a motion template', async () => {
    const { ctx } = recordingContext(models, inputs);
    await expect(
      liveportraitPlugin.run(ctx, liveportraitPlugin.input.parse({ source: PORTRAIT, motion: BLANK })),
    ).rejects.toThrow(/"grey\.png" is an image, not a motion template/);
  });

  it('should need 2d106det: LP crops the portrait from its 106 points', async () => {
    const { '2d106det': _, ...without } = files;
    const manager = fixtureModelManager(without);
    await expect(acquireLivePortraitModels((id) => manager.acquire(id), input())).rejects.toThrow(/2d106det/);
    expect(liveportraitPlugin.models(input())).toContain('2d106det');
    expect(liveportraitPlugin.optionalModels?.(input())).not.toContain('2d106det');
  });

  it('should need exactly one driving input and name missing models with the pull command', async () => {
    expect(() => liveportraitPlugin.input.parse({ source: PORTRAIT })).toThrow(
      /either a driving video or a motion template/,
    );
    expect(() =>
      liveportraitPlugin.input.parse({ source: PORTRAIT, driving: CLIP, motion: TEMPLATE }),
    ).toThrow();
    expect(liveportraitPlugin.models(input({ eyeRetargeting: true }))).toEqual([
      'liveportrait_appearance_feature_extractor',
      'liveportrait_motion_extractor',
      'liveportrait_warping_spade',
      '2d106det',
      'liveportrait_stitching',
      'liveportrait_stitching_eye',
      'liveportrait_landmark',
    ]);
    const { ModelStore } = await import('@visage/inference');
    const message = new ModelStore(path.join(dir, 'none'), modelCatalog()).missingModels(
      liveportraitPlugin.models(input()),
    )?.message;
    expect(message).toContain(
      'pnpm visage models pull liveportrait_appearance_feature_extractor liveportrait_motion_extractor liveportrait_warping_spade 2d106det liveportrait_stitching',
    );
  });
});
