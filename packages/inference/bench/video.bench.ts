// Video IO overhead: Visage's passthrough (decodeFrames → yuv420p frames through Node → createEncoder, as
// video jobs run) against one plain `ffmpeg -i in -c:v libx264 …` transcode of the same 1280×720 25 fps
// 8 s clip, same CRF and preset. The ratio is the whole cost of handing frames to JavaScript; the old
// RGB24 path is measured beside it for comparison.
// Two clips: the astronaut photo with a slow zoom (natural content, where x264 has real work) and
// ffmpeg's testsrc (flat synthetic content that x264 encodes almost for free: the worst case for the
// ratio). Runs alternate (plain, Visage, plain, Visage) so both see the same machine; best of each.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as runFfmpeg } from '@visage/ffmpeg';
import { makePhotoMotion, makeTestPattern } from '@visage/ffmpeg/testing';
import { ASTRONAUT } from '../src/testing.ts';
import { createEncoder, decodeFrames, probeVideo } from '../src/video/index.ts';
import type { BenchResult } from './types.ts';

const WIDTH = 1280;
const HEIGHT = 720;
const FPS = 25;
const SECONDS = 8;
const CRF = 18;
const PRESET = 'medium';
const ROUNDS = 3;

async function plain(input: string, output: string): Promise<number> {
  const start = performance.now();
  const x264 = ['-c:v', 'libx264', '-crf', String(CRF), '-preset', PRESET, '-pix_fmt', 'yuv420p'];
  await runFfmpeg(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', '-i', input, ...x264, output],
    'plain',
  );
  return performance.now() - start;
}

async function visage(
  input: string,
  output: string,
  pixelFormat: 'yuv420p' | 'rgb24',
): Promise<{ ms: number; frames: number }> {
  const start = performance.now();
  const info = await probeVideo(input);
  const { color } = info;
  const encoder = await createEncoder(output, {
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    crf: CRF,
    preset: PRESET,
    codec: 'libx264',
    pixelFormat,
    ...(pixelFormat === 'yuv420p' ? { color } : {}),
  });
  for await (const frame of decodeFrames(input, { pixelFormat, info })) await encoder.write(frame.data);
  await encoder.finish();
  return { ms: performance.now() - start, frames: encoder.framesWritten };
}

interface Side {
  plainFps: number;
  visageFps: number;
  rgbFps: number;
  frames: number;
}

async function compare(input: string, dir: string): Promise<Side> {
  const { frameCount } = await probeVideo(input);
  let plainMs = Number.POSITIVE_INFINITY;
  let visageMs = Number.POSITIVE_INFINITY;
  let rgbMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    plainMs = Math.min(plainMs, await plain(input, join(dir, 'plain.mp4')));
    for (const pixelFormat of ['yuv420p', 'rgb24'] as const) {
      const ours = await visage(input, join(dir, 'visage.mp4'), pixelFormat);
      if (ours.frames !== frameCount)
        throw new Error(`Visage ${pixelFormat} passthrough wrote ${ours.frames} of ${frameCount} frames`);
      if (pixelFormat === 'yuv420p') visageMs = Math.min(visageMs, ours.ms);
      else rgbMs = Math.min(rgbMs, ours.ms);
    }
  }
  return {
    plainFps: (frameCount * 1000) / plainMs,
    visageFps: (frameCount * 1000) / visageMs,
    rgbFps: (frameCount * 1000) / rgbMs,
    frames: frameCount,
  };
}

export async function run(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'visage-video-bench-'));
  try {
    const photoClip = join(dir, 'astronaut.mp4');
    const patternClip = join(dir, 'testsrc.mp4');
    const size = { width: WIDTH, height: HEIGHT };
    await makePhotoMotion(photoClip, ASTRONAUT, { size, fps: FPS, seconds: SECONDS });
    await makeTestPattern(patternClip, { ...size, fps: FPS, seconds: SECONDS, audio: false });
    const photo = await compare(photoClip, dir);
    const pattern = await compare(patternClip, dir);
    const line = (name: string, side: Side) =>
      `${name}: plain ffmpeg ${side.plainFps.toFixed(1)} frames/s, Visage ${side.visageFps.toFixed(1)} frames/s ` +
      `→ ×${(side.visageFps / side.plainFps).toFixed(2)} (RGB24 frames: ×${(side.rgbFps / side.plainFps).toFixed(2)})`;
    return {
      name: 'video',
      metrics: {
        frames: photo.frames,
        plain_ffmpeg_fps: photo.plainFps,
        visage_passthrough_fps: photo.visageFps,
        visage_over_plain: photo.visageFps / photo.plainFps,
        rgb24_passthrough_fps: photo.rgbFps,
        rgb24_over_plain: photo.rgbFps / photo.plainFps,
        testsrc_plain_ffmpeg_fps: pattern.plainFps,
        testsrc_visage_passthrough_fps: pattern.visageFps,
        testsrc_visage_over_plain: pattern.visageFps / pattern.plainFps,
        testsrc_rgb24_over_plain: pattern.rgbFps / pattern.plainFps,
      },
      goals: [
        { metric: 'visage_over_plain', label: 'passthrough / ffmpeg fps (photo)', min: 0.9 },
        { metric: 'testsrc_visage_over_plain', label: 'passthrough / ffmpeg fps (testsrc)', min: 0.9 },
      ],
      summary:
        `${WIDTH}×${HEIGHT} ${FPS} fps ${SECONDS} s, decode→encode passthrough vs one ffmpeg, libx264 CRF ${CRF} ` +
        `${PRESET}, best of ${ROUNDS} (goal ≥ 0.9): ${line('astronaut zoom', photo)}; ${line('testsrc', pattern)}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
