import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '@visage/ffmpeg';
import { ffmpegChildren, makePhotoMotion, makeTestPattern } from '@visage/ffmpeg/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASTRONAUT } from '../src/testing.ts';
import {
  autoH264Encoder,
  chooseH264Encoder,
  createEncoder,
  type DecodeOptions,
  decodeFrames,
  detectH264Encoders,
  type EncoderOptions,
  parseH264Encoders,
  probeVideo,
  testH264Encoder,
  type VideoFrame,
} from '../src/video/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'visage-video-encode-'));
const pattern = join(dir, 'pattern.mp4');
const photo = join(dir, 'astronaut.mp4');
const shortAudio = join(dir, 'one-second.m4a');
const pcmAudio = join(dir, 'pcm.wav');

beforeAll(async () => {
  await makeTestPattern(pattern, { width: 320, height: 240, fps: 25, seconds: 2, audio: true });
  await makePhotoMotion(photo, ASTRONAUT, { size: 256, fps: 25, seconds: 2 });
  for (const [out, codec] of [
    [shortAudio, 'aac'],
    [pcmAudio, 'pcm_s16le'],
  ] as const) {
    const sine = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '1', '-c:a', codec];
    await run('ffmpeg', ['-v', 'error', '-y', ...sine, out], 'fixture');
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(path: string, options?: DecodeOptions): Promise<VideoFrame[]> {
  const frames: VideoFrame[] = [];
  for await (const frame of decodeFrames(path, options)) frames.push(frame);
  return frames;
}

/** Decodes `input` and encodes every frame unchanged to `output`. */
async function passthrough(
  input: string,
  output: string,
  options: Partial<EncoderOptions> = {},
  decode?: DecodeOptions,
) {
  const info = await probeVideo(input);
  const encoder = await createEncoder(output, {
    width: info.width,
    height: info.height,
    fps: info.fps,
    codec: 'libx264',
    ...options,
  });
  for await (const frame of decodeFrames(input, decode)) await encoder.write(frame.data);
  await encoder.finish();
  return encoder;
}

/** Streams of `path` as ffprobe sees them (codec, duration in seconds). */
async function streams(
  path: string,
): Promise<{ codec_type: string; codec_name: string; duration: number }[]> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_streams', path];
  const json = JSON.parse((await run('ffprobe', args, 'streams')).toString('utf8')) as {
    streams: { codec_type: string; codec_name: string; duration: string }[];
  };
  return json.streams.map((s) => ({ ...s, duration: Number(s.duration) }));
}

function meanDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.byteLength).toBe(b.byteLength);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}

const gray = (width: number, height: number, value: number) => new Uint8Array(width * height * 3).fill(value);

describe('createEncoder', () => {
  it('passthrough keeps frame count, fps and the audio track, as faststart H.264 yuv420p', async () => {
    const out = join(dir, 'passthrough.mp4');
    const encoder = await passthrough(pattern, out, { audioFrom: pattern });
    expect(encoder.framesWritten).toBe(50);
    const info = await probeVideo(out);
    expect(info).toMatchObject({
      width: 320,
      height: 240,
      fps: 25,
      frameRate: '25/1',
      frameCount: 50,
      codec: 'h264',
      pixelFormat: 'yuv420p',
      hasAudio: true,
    });
    expect(Math.abs(info.durationMs - 2000)).toBeLessThanOrEqual(40);
    const audio = (await streams(out)).find((s) => s.codec_type === 'audio');
    expect(audio?.codec_name).toBe('aac');
    expect(audio?.duration).toBeGreaterThan(1.9);
    expect(audio?.duration).toBeLessThanOrEqual(2.03);
    // +faststart: the index (moov) comes before the media data (mdat).
    const bytes = readFileSync(out);
    expect(bytes.indexOf('moov')).toBeGreaterThan(0);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
    // No temporary video left next to the output.
    expect(readdirSync(dir).filter((name) => name.startsWith('.passthrough'))).toEqual([]);
  });

  it('re-encodes the astronaut video at CRF 18 about as faithfully as plain ffmpeg does', async () => {
    const out = join(dir, 'astronaut-out.mp4');
    await passthrough(photo, out, { crf: 18, preset: 'medium' });
    expect(await probeVideo(out)).toMatchObject({
      frameCount: 50,
      fps: 25,
      hasAudio: false,
      width: 256,
      height: 256,
    });
    const plain = join(dir, 'astronaut-plain.mp4');
    const x264 = ['-c:v', 'libx264', '-crf', '18', '-preset', 'medium', '-pix_fmt', 'yuv420p'];
    await run('ffmpeg', ['-v', 'error', '-y', '-i', photo, ...x264, plain], 'plain');
    const before = await collect(photo);
    const worst = async (path: string) => {
      const after = await collect(path);
      expect(after).toHaveLength(50);
      return Math.max(...after.map((frame, i) => meanDiff(frame.data, (before[i] as VideoFrame).data)));
    };
    const ours = await worst(out);
    expect(ours).toBeLessThan(3);
    // RGB round trip (decode → rgb24 → yuv420p) adds next to nothing on top of x264's own loss.
    expect(ours).toBeLessThan((await worst(plain)) + 0.3);
    // The measure notices a mismatch: frames 10 apart (the zoom has moved) differ far more.
    const after = await collect(out);
    expect(meanDiff((after[40] as VideoFrame).data, (before[30] as VideoFrame).data)).toBeGreaterThan(5);
  });

  it('trims: the decoded part and the same part of the audio', async () => {
    const out = join(dir, 'trimmed.mp4');
    const part = { startMs: 500, durationMs: 1000 };
    await passthrough(pattern, out, { audioFrom: pattern, ...part }, part);
    const info = await probeVideo(out);
    expect(info).toMatchObject({ frameCount: 25, fps: 25, hasAudio: true });
    const audio = (await streams(out)).find((s) => s.codec_type === 'audio');
    expect(audio?.duration).toBeGreaterThan(0.9);
    expect(audio?.duration).toBeLessThanOrEqual(1.03);
  });

  it('never cuts the video to a shorter audio track, and re-encodes audio MP4 cannot carry', async () => {
    const short = join(dir, 'short-audio.mp4');
    await passthrough(pattern, short, { audioFrom: shortAudio });
    expect(await probeVideo(short)).toMatchObject({ frameCount: 50, hasAudio: true });
    expect((await streams(short)).find((s) => s.codec_type === 'audio')?.duration).toBeLessThan(1.1);

    const pcm = join(dir, 'pcm-audio.mp4');
    await passthrough(pattern, pcm, { audioFrom: pcmAudio, durationMs: 2000 });
    expect((await streams(pcm)).map((s) => s.codec_name)).toEqual(['h264', 'aac']);

    const silent = join(dir, 'no-audio.mp4');
    await passthrough(pattern, silent, { audioFrom: photo });
    expect(await probeVideo(silent)).toMatchObject({ frameCount: 50, hasAudio: false });
  });

  it('keeps NTSC and fractional rates exact', async () => {
    for (const [fps, expected] of [
      [30000 / 1001, '30000/1001'],
      [12.5, '25/2'],
    ] as const) {
      const out = join(dir, `rate-${expected.replace('/', '_')}.mp4`);
      const encoder = await createEncoder(out, {
        width: 64,
        height: 48,
        fps,
        codec: 'libx264',
        preset: 'ultrafast',
      });
      for (let i = 0; i < 10; i++) await encoder.write(gray(64, 48, i * 20));
      await encoder.finish();
      expect(await probeVideo(out)).toMatchObject({ frameRate: expected, frameCount: 10 });
    }
  });

  it('drops an odd last row/column (yuv420p needs even sides)', async () => {
    const out = join(dir, 'odd.mp4');
    const encoder = await createEncoder(out, { width: 65, height: 49, fps: 25, codec: 'libx264' });
    await encoder.write(gray(65, 49, 128));
    await encoder.finish();
    expect(await probeVideo(out)).toMatchObject({ width: 64, height: 48, frameCount: 1 });
  });

  it('write() resolves only once ffmpeg has taken the frame (back-pressure)', async () => {
    const out = join(dir, 'paused.mp4');
    const encoder = await createEncoder(out, { width: 320, height: 240, fps: 25, codec: 'libx264' });
    await encoder.write(gray(320, 240, 10));
    const [child] = ffmpegChildren();
    const pid = Number(child?.split(/\s+/)[0]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGSTOP'); // ffmpeg stops reading; a 230 kB frame cannot fit in the pipe
    let resolved = 0;
    const pending = [1, 2, 3].map((i) => encoder.write(gray(320, 240, i * 50)).then(() => resolved++));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resolved).toBe(0);
    expect(encoder.framesWritten).toBe(1);
    process.kill(pid, 'SIGCONT');
    await Promise.all(pending);
    expect(resolved).toBe(3);
    await encoder.finish();
    expect(await probeVideo(out)).toMatchObject({ frameCount: 4 });
  });

  it('rejects wrong frame sizes and use after finish', async () => {
    const out = join(dir, 'misuse.mp4');
    const encoder = await createEncoder(out, { width: 64, height: 48, fps: 25, codec: 'libx264' });
    await expect(encoder.write(gray(64, 47, 0))).rejects.toThrow(/64×48×3 = 9216 bytes \(got 9024\)/);
    await encoder.write(gray(64, 48, 0));
    await encoder.finish();
    await expect(encoder.write(gray(64, 48, 0))).rejects.toThrow(/the encoder is done/);
    await expect(createEncoder(out, { width: 64, height: 48, fps: 0 })).rejects.toThrow(RangeError);
    await expect(createEncoder(out, { width: 64, height: 48, fps: 25, crf: 60 })).rejects.toThrow(RangeError);
  });

  it('surfaces ffmpeg’s message when it fails, and when no frame was written', async () => {
    const nowhere = join(dir, 'no-such-dir', 'out.mp4');
    const encoder = await createEncoder(nowhere, { width: 64, height: 48, fps: 25, codec: 'libx264' });
    const failed = (async () => {
      for (let i = 0; i < 5; i++) await encoder.write(gray(64, 48, 0));
      await encoder.finish();
    })();
    await expect(failed).rejects.toThrow(/^Cannot encode "out\.mp4": .*No such file or directory/);

    const empty = join(dir, 'empty.mp4');
    const idle = await createEncoder(empty, { width: 64, height: 48, fps: 25, codec: 'libx264' });
    await expect(idle.finish()).rejects.toThrow('Cannot encode "empty.mp4": no frames were written');
    expect(existsSync(empty)).toBe(false);

    await expect(
      passthrough(pattern, join(dir, 'x.mp4'), { audioFrom: join(dir, 'missing.mp4') }),
    ).rejects.toThrow(/^Cannot read the audio of "missing\.mp4": .*No such file or directory/);
  });

  it('abort kills ffmpeg, removes the partial file and is idempotent', async () => {
    for (const audioFrom of [undefined, pattern]) {
      const out = join(dir, `aborted-${audioFrom ? 'audio' : 'plain'}.mp4`);
      const encoder = await createEncoder(out, {
        width: 320,
        height: 240,
        fps: 25,
        codec: 'libx264',
        audioFrom,
      });
      for (let i = 0; i < 5; i++) await encoder.write(gray(320, 240, i * 40));
      expect(ffmpegChildren()).toHaveLength(1);
      await encoder.abort();
      await encoder.abort();
      expect(ffmpegChildren()).toEqual([]);
      expect(readdirSync(dir).filter((name) => name.includes('aborted'))).toEqual([]);
      await expect(encoder.write(gray(320, 240, 0))).rejects.toThrow(/the encoder is aborted/);
    }
  });

  it("'auto' picks a working encoder", async () => {
    const out = join(dir, 'auto.mp4');
    const encoder = await createEncoder(out, { width: 64, height: 48, fps: 25 });
    expect(['libx264', 'h264_nvenc', 'h264_videotoolbox']).toContain(encoder.codec);
    await encoder.write(gray(64, 48, 90));
    await encoder.finish();
    expect(await probeVideo(out)).toMatchObject({ codec: 'h264', frameCount: 1 });
  });
});

describe('H.264 encoder detection', () => {
  const listing = [
    'Encoders:',
    ' V..... = Video',
    ' ------',
    ' V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)',
    ' V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)',
    ' V..... h264_videotoolbox    VideoToolbox H.264 Encoder (codec h264)',
    ' A....D aac                  AAC (Advanced Audio Coding)',
  ].join('\n');

  it('parses `ffmpeg -encoders`', () => {
    expect(parseH264Encoders(listing)).toEqual(['h264_nvenc', 'h264_videotoolbox']);
    expect(parseH264Encoders(listing.replace(/.*nvenc.*\n/, ''))).toEqual(['h264_videotoolbox']);
    expect(parseH264Encoders('')).toEqual([]);
  });

  it('lists what this ffmpeg has, once', async () => {
    const first = detectH264Encoders();
    expect(detectH264Encoders()).toBe(first);
    const found = await first;
    const help = (await run('ffmpeg', ['-hide_banner', '-encoders'], 'listing')).toString('utf8');
    expect(found.includes('h264_nvenc')).toBe(/\sh264_nvenc\s/.test(help));
  });

  it('chooses: VideoToolbox on macOS, NVENC only when a test encode works, else libx264', async () => {
    const tested: string[] = [];
    const deps = (
      platform: NodeJS.Platform,
      listed: ('h264_nvenc' | 'h264_videotoolbox')[],
      failure?: string,
    ) => ({
      platform,
      listEncoders: async () => listed,
      testEncoder: async (codec: string) => {
        tested.push(codec);
        return failure;
      },
    });
    expect((await chooseH264Encoder(deps('darwin', ['h264_videotoolbox']))).codec).toBe('h264_videotoolbox');
    expect((await chooseH264Encoder(deps('darwin', []))).codec).toBe('libx264');
    expect(tested).toEqual([]);
    expect((await chooseH264Encoder(deps('linux', ['h264_nvenc']))).codec).toBe('h264_nvenc');
    const noGpu = await chooseH264Encoder(deps('linux', ['h264_nvenc'], 'No NVENC capable devices found'));
    expect(noGpu).toEqual({
      codec: 'libx264',
      reason: 'h264_nvenc is listed but cannot encode here (No NVENC capable devices found)',
    });
    expect((await chooseH264Encoder(deps('linux', []))).codec).toBe('libx264');
    expect(tested).toEqual(['h264_nvenc', 'h264_nvenc']);
  });

  it('a real test encode: libx264 works; the auto choice agrees with the NVENC test', async () => {
    expect(await testH264Encoder('libx264')).toBeUndefined();
    const nvenc = await testH264Encoder('h264_nvenc');
    const choice = await autoH264Encoder();
    if (process.platform === 'linux') {
      expect(choice.codec).toBe(
        nvenc === undefined && (await detectH264Encoders()).includes('h264_nvenc') ? 'h264_nvenc' : 'libx264',
      );
    }
    if (nvenc !== undefined) expect(nvenc).toMatch(/^Test encode with h264_nvenc failed: /);
  });
});
