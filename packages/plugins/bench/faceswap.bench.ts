// Face swap pipeline overhead: wall time per frame against the sum of onnxruntime run times on the
// same frames (ratio 1.00 = no overhead). Fixture models with conv stacks stand in for the real
// weights (which cannot be downloaded here) so each model run costs milliseconds, as real ones do:
// inswapper ≈ 16 conv layers × 64 channels at 128², GFPGAN 8 × 32 at 512²/4. Detection is the real
// BlazeFace. Rows: the frame processor alone (the realtime path), the same with GFPGAN, with a 256-px
// swapper (ghost_2_256 ≈ 16 × 64 at 256²/2, plus its embedding converter) and with that swapper at pixel
// boost ×2 (four runs per face, interleaved), and whole video
// jobs (decode → swap with detection overlapped → H.264 encode) on a 640² and a 1080p clip, each next to
// a plain ffmpeg transcode of the same clip; the 1080p row also gives the job's host-only milliseconds
// per frame (wall less ONNX: decode, conversions, crops, paste, encode) beside the transcode's.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run as runFfmpeg } from '@visage/ffmpeg';
import {
  decodeFrames,
  decodeImage,
  type ModelManager,
  type ModelSession,
  type VideoFrame,
} from '@visage/inference';
import type { BenchResult } from '@visage/inference/bench';
import { acquireFaceSwapModels } from '../src/faceswap/acquire.ts';
import { faceswapPlugin } from '../src/faceswap/index.ts';
import { FaceSwapProcessor } from '../src/faceswap/processor.ts';
import { settingsOf } from '../src/faceswap/run.ts';
import { SWAPPER_FIXTURE_SPECS } from '../src/testing/swapper-fixtures.ts';
import {
  ASTRONAUT,
  FIXTURE_SPECS,
  fixtureModelManager,
  imageAsset,
  recordingContext,
  videoAsset,
  writeAstronautClip,
  writeFixtureModels,
} from '../test/support/faceswap.ts';

const FRAMES = 40;
const FRAMES_1080 = 30;
const JOB_ROUNDS = 3;
const SIZE = 640;
const SOURCE = '0190c5a0-0000-7000-8000-0000000000b1';
const CLIP = '0190c5a0-0000-7000-8000-0000000000b2';

const onnxMs = (sessions: readonly ModelSession[]) => sessions.reduce((n, s) => n + s.stats().totalMs, 0);

/**
 * A face swap video job on `clip` and a plain ffmpeg transcode of it, alternated, best of JOB_ROUNDS
 * (by the job's ratio to ONNX + transcode). Host-only = the job's wall time less its ONNX time.
 */
async function videoJobRow(models: ModelManager, dir: string, clip: string, frames: number) {
  const inputs = { [SOURCE]: imageAsset(ASTRONAUT, 'astronaut.png'), [CLIP]: videoAsset(clip, 'clip.mp4') };
  const leases = await Promise.all(['blazeface', 'inswapper_128'].map((id) => models.acquire(id)));
  for (const lease of leases) lease.release();
  const sessions = leases.map((l) => l.session);
  let best: ReturnType<typeof row> | undefined;
  function row(wall: number, onnx: number, transcode: number) {
    return {
      wallMsPerFrame: wall / frames,
      onnxMsPerFrame: onnx / frames,
      hostMsPerFrame: (wall - onnx) / frames,
      ratio: wall / onnx,
      ffmpegTranscodeMsPerFrame: transcode / frames,
      ratioOverOnnxPlusTranscode: wall / (onnx + transcode),
    };
  }
  for (let round = 0; round < JOB_ROUNDS; round++) {
    const { ctx } = recordingContext(models, inputs, { jobId: 'bench' });
    const onnxBefore = onnxMs(sessions);
    let started = performance.now();
    // inswapper named: "auto" would take the ghost fixture the processor rows install.
    await faceswapPlugin.run(
      ctx,
      faceswapPlugin.input.parse({ source: [SOURCE], target: CLIP, swapper: 'inswapper_128' }),
    );
    const wall = performance.now() - started;
    const onnx = onnxMs(sessions) - onnxBefore;
    started = performance.now();
    await runFfmpeg(
      'ffmpeg',
      [
        ...[
          '-v',
          'error',
          '-nostdin',
          '-y',
          '-i',
          clip,
          '-c:v',
          'libx264',
          '-preset',
          'medium',
          '-crf',
          '18',
        ],
        ...['-c:a', 'copy', path.join(dir, 'plain.mp4')],
      ],
      'transcode the clip with plain ffmpeg',
    );
    const measured = row(wall, onnx, performance.now() - started);
    if (!best || measured.ratioOverOnnxPlusTranscode < best.ratioOverOnnxPlusTranscode) best = measured;
  }
  return best as ReturnType<typeof row>;
}

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-bench-faceswap-'));
  try {
    const files = await writeFixtureModels(dir, {
      arcface_w600k_r50: {
        ...FIXTURE_SPECS.arcface_w600k_r50,
        work: { input: 'input', layers: 4, channels: 32 },
      },
      inswapper_128: { ...FIXTURE_SPECS.inswapper_128, work: { input: 'target', layers: 16, channels: 64 } },
      'gfpgan_1.4': {
        ...FIXTURE_SPECS['gfpgan_1.4'],
        work: { input: 'input', layers: 8, channels: 32, stride: 4 },
      },
      ghost_2_256: {
        ...SWAPPER_FIXTURE_SPECS.ghost_2_256,
        work: { input: 'target', layers: 16, channels: 64, stride: 2 },
      },
      crossface_ghost: SWAPPER_FIXTURE_SPECS.crossface_ghost,
    });
    const models = fixtureModelManager(files);
    const clip = path.join(dir, 'clip.mp4');
    await writeAstronautClip(clip, { frames: FRAMES, fps: 25, size: SIZE });
    const frames: VideoFrame[] = [];
    for await (const frame of decodeFrames(clip)) frames.push(frame);
    const source = await decodeImage(ASTRONAUT);

    // 1–2. The frame processor, without and with restoration.
    const processorRow = async (
      restore: 'none' | 'gfpgan_1.4',
      options: { swapper?: 'inswapper_128' | 'ghost_2_256'; pixelBoost?: number } = {},
    ) => {
      const { swapper: choice = 'inswapper_128', pixelBoost = 1 } = options;
      const input = faceswapPlugin.input.parse({
        source: [SOURCE],
        target: CLIP,
        restore,
        swapper: choice,
        pixelBoost,
      });
      const acquired = await acquireFaceSwapModels((id) => models.acquire(id), input);
      try {
        const processor = new FaceSwapProcessor(acquired.models, settingsOf(input));
        await processor.setSources([{ name: 'astronaut.png', image: source }]);
        const { detector, swapper, restorer } = acquired.models;
        const sessions = [detector.session, swapper.session, ...(restorer ? [restorer.session] : [])];
        const copy = (i: number) => {
          const f = frames[i % frames.length];
          if (!f) throw new Error('no frames decoded');
          return { width: f.width, height: f.height, channels: 3 as const, data: Uint8Array.from(f.data) };
        };
        for (let i = 0; i < 3; i++) await processor.process(copy(i)); // warm-up
        const images = frames.map((_, i) => copy(i));
        const onnxBefore = onnxMs(sessions);
        const started = performance.now();
        for (const image of images) await processor.process(image);
        const wall = performance.now() - started;
        const onnx = onnxMs(sessions) - onnxBefore;
        return {
          wallMsPerFrame: wall / images.length,
          onnxMsPerFrame: onnx / images.length,
          ratio: wall / onnx,
        };
      } finally {
        acquired.release();
      }
    };
    const swapOnly = await processorRow('none');
    const withRestore = await processorRow('gfpgan_1.4');
    const swapper256 = await processorRow('none', { swapper: 'ghost_2_256' });
    const boost2 = await processorRow('none', { swapper: 'ghost_2_256', pixelBoost: 2 });

    // 3–4. Whole video jobs (640² and 1080p), each next to plain ffmpeg transcoding the same clip.
    const clip1080 = path.join(dir, 'clip-1080p.mp4');
    await writeAstronautClip(clip1080, {
      frames: FRAMES_1080,
      fps: 25,
      size: 1080,
      canvas: { width: 1920, height: 1080 },
    });
    const job = await videoJobRow(models, dir, clip, FRAMES);
    const job1080 = await videoJobRow(models, dir, clip1080, FRAMES_1080);
    await models.unloadAll();
    // Host-only: the same 1080p job with the fixtures' minimal networks (ONNX next to nothing, the
    // real BlazeFace's runs subtracted), so what is left is decode, conversions, crops, paste, encode.
    await mkdir(path.join(dir, 'minimal'));
    const minimal = fixtureModelManager(await writeFixtureModels(path.join(dir, 'minimal')));
    const host1080 = await videoJobRow(minimal, dir, clip1080, FRAMES_1080);
    await minimal.unloadAll();

    const r = (v: number) => v.toFixed(2);
    return {
      name: 'faceswap',
      metrics: {
        frames: FRAMES,
        size: SIZE,
        processorWallMsPerFrame: swapOnly.wallMsPerFrame,
        processorOnnxMsPerFrame: swapOnly.onnxMsPerFrame,
        processorOverheadRatio: swapOnly.ratio,
        restoreWallMsPerFrame: withRestore.wallMsPerFrame,
        restoreOnnxMsPerFrame: withRestore.onnxMsPerFrame,
        restoreOverheadRatio: withRestore.ratio,
        swapper256WallMsPerFrame: swapper256.wallMsPerFrame,
        swapper256OnnxMsPerFrame: swapper256.onnxMsPerFrame,
        swapper256OverheadRatio: swapper256.ratio,
        pixelBoost2WallMsPerFrame: boost2.wallMsPerFrame,
        pixelBoost2OnnxMsPerFrame: boost2.onnxMsPerFrame,
        pixelBoost2OverheadRatio: boost2.ratio,
        videoJobWallMsPerFrame: job.wallMsPerFrame,
        videoJobOnnxMsPerFrame: job.onnxMsPerFrame,
        videoJobOverheadRatio: job.ratio,
        ffmpegTranscodeMsPerFrame: job.ffmpegTranscodeMsPerFrame,
        videoJobOverOnnxPlusTranscode: job.ratioOverOnnxPlusTranscode,
        video1080JobWallMsPerFrame: job1080.wallMsPerFrame,
        video1080JobOnnxMsPerFrame: job1080.onnxMsPerFrame,
        video1080HostMsPerFrame: host1080.hostMsPerFrame,
        video1080HostOnnxMsPerFrame: host1080.onnxMsPerFrame,
        ffmpeg1080TranscodeMsPerFrame: host1080.ffmpegTranscodeMsPerFrame,
        video1080HostOverTranscode: host1080.hostMsPerFrame / host1080.ffmpegTranscodeMsPerFrame,
        video1080JobOverOnnxPlusTranscode: job1080.ratioOverOnnxPlusTranscode,
      },
      goals: [
        { metric: 'processorOverheadRatio', label: 'processor / ONNX', max: 1.1 },
        { metric: 'swapper256OverheadRatio', label: '256-px swapper (ghost) / ONNX', max: 1.1 },
        { metric: 'pixelBoost2OverheadRatio', label: 'ghost at pixel boost ×2 / ONNX', max: 1.1 },
        { metric: 'videoJobOverOnnxPlusTranscode', label: 'video job / (ONNX + transcode)', max: 1.1 },
        { metric: 'video1080JobOverOnnxPlusTranscode', label: '1080p job / (ONNX + transcode)', max: 1.1 },
      ],
      key: [
        'restoreOverheadRatio',
        'videoJobOverheadRatio',
        'video1080HostMsPerFrame',
        'ffmpeg1080TranscodeMsPerFrame',
      ],
      summary:
        `processor ${r(swapOnly.wallMsPerFrame)} ms/frame vs ONNX ${r(swapOnly.onnxMsPerFrame)} ms (×${r(swapOnly.ratio)}, goal ≤ 1.10); ` +
        `+GFPGAN ×${r(withRestore.ratio)}; ghost_2_256 ${r(swapper256.wallMsPerFrame)} ms/frame ×${r(swapper256.ratio)}; ` +
        `pixel boost ×2 ${r(boost2.wallMsPerFrame)} ms/frame ×${r(boost2.ratio)} (goals ≤ 1.10); video job ${r(job.wallMsPerFrame)} ms/frame = ×${r(job.ratio)} of ONNX, ` +
        `×${r(job.ratioOverOnnxPlusTranscode)} of ONNX + a plain ffmpeg transcode (${r(job.ffmpegTranscodeMsPerFrame)} ms/frame); ` +
        `1080p job ${r(job1080.wallMsPerFrame)} ms/frame = ×${r(job1080.ratioOverOnnxPlusTranscode)} of ONNX + transcode, ` +
        `host-only ${r(host1080.hostMsPerFrame)} ms/frame vs a plain transcode's ${r(host1080.ffmpegTranscodeMsPerFrame)} ` +
        `(×${r(host1080.hostMsPerFrame / host1080.ffmpegTranscodeMsPerFrame)}; best of ${JOB_ROUNDS})`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
