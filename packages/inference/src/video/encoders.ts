// Which H.264 encoder to use: hardware when it really works here, libx264 otherwise, and the
// ffmpeg arguments that give each of them comparable quality.
import { run } from '@visage/ffmpeg';

export type H264Codec = 'libx264' | 'h264_nvenc' | 'h264_videotoolbox';
export type HardwareH264Codec = Exclude<H264Codec, 'libx264'>;
export type X264Preset =
  | 'ultrafast'
  | 'superfast'
  | 'veryfast'
  | 'faster'
  | 'fast'
  | 'medium'
  | 'slow'
  | 'slower'
  | 'veryslow';

const HARDWARE: readonly HardwareH264Codec[] = ['h264_nvenc', 'h264_videotoolbox'];

/** Reads `ffmpeg -encoders` lines such as " V....D h264_nvenc   NVIDIA NVENC H.264 encoder". */
export function parseH264Encoders(listing: string): HardwareH264Codec[] {
  const names = new Set<string>();
  for (const line of listing.split('\n')) {
    const match = /^\s*V[.A-Z]{5}\s+(\S+)/.exec(line);
    if (match?.[1]) names.add(match[1]);
  }
  return HARDWARE.filter((name) => names.has(name));
}

let listed: Promise<HardwareH264Codec[]> | undefined;

/** The hardware H.264 encoders this ffmpeg was built with (cached; a failed listing is retried). */
export function detectH264Encoders(): Promise<HardwareH264Codec[]> {
  listed ??= run('ffmpeg', ['-hide_banner', '-encoders'], 'Cannot list ffmpeg encoders').then(
    (listing) => parseH264Encoders(listing.toString('utf8')),
    (error: unknown) => {
      listed = undefined;
      throw error;
    },
  );
  return listed;
}

/**
 * Encodes one small frame with `codec`: Debian's ffmpeg lists h264_nvenc on every machine, and only a
 * real encode tells whether a GPU and driver are there. Resolves to ffmpeg's complaint, or undefined.
 */
export async function testH264Encoder(codec: H264Codec): Promise<string | undefined> {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=256x256:r=25'];
  args.push('-frames:v', '1', '-c:v', codec, '-pix_fmt', 'yuv420p', '-f', 'null', '-');
  try {
    await run('ffmpeg', args, `Test encode with ${codec} failed`, { timeoutMs: 20_000 });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface H264Choice {
  codec: H264Codec;
  /** Why this one: worth logging when a listed hardware encoder was passed over. */
  reason: string;
}

export interface ChoiceDeps {
  platform: NodeJS.Platform;
  listEncoders: () => Promise<HardwareH264Codec[]>;
  testEncoder: (codec: H264Codec) => Promise<string | undefined>;
}

/** What 'auto' means: VideoToolbox on macOS, NVENC when it encodes, else libx264. */
export async function chooseH264Encoder(deps: ChoiceDeps): Promise<H264Choice> {
  const available = await deps.listEncoders();
  if (deps.platform === 'darwin') {
    return available.includes('h264_videotoolbox')
      ? { codec: 'h264_videotoolbox', reason: 'macOS with VideoToolbox' }
      : { codec: 'libx264', reason: 'this ffmpeg has no h264_videotoolbox' };
  }
  if (!available.includes('h264_nvenc')) return { codec: 'libx264', reason: 'this ffmpeg has no h264_nvenc' };
  const failure = await deps.testEncoder('h264_nvenc');
  return failure === undefined
    ? { codec: 'h264_nvenc', reason: 'h264_nvenc encodes on this machine' }
    : { codec: 'libx264', reason: `h264_nvenc is listed but cannot encode here (${failure})` };
}

let autoChoice: Promise<H264Choice> | undefined;

/** chooseH264Encoder for this machine, decided once per process. */
export function autoH264Encoder(): Promise<H264Choice> {
  autoChoice ??= chooseH264Encoder({
    platform: process.platform,
    listEncoders: detectH264Encoders,
    testEncoder: testH264Encoder,
  }).catch((error: unknown) => {
    autoChoice = undefined;
    throw error;
  });
  return autoChoice;
}

const NVENC_PRESET: Record<X264Preset, string> = {
  ultrafast: 'p1',
  superfast: 'p1',
  veryfast: 'p2',
  faster: 'p3',
  fast: 'p3',
  medium: 'p4',
  slow: 'p5',
  slower: 'p6',
  veryslow: 'p7',
};

export interface QualityOptions {
  codec: H264Codec;
  crf: number;
  preset: X264Preset;
  width: number;
  height: number;
  fps: number;
}

/** `-c:v …` and its rate control, with `crf` mapped onto each encoder's own quality scale. */
export function h264Args({ codec, crf, preset, width, height, fps }: QualityOptions): string[] {
  switch (codec) {
    case 'libx264':
      return ['-c:v', 'libx264', '-preset', preset, '-crf', String(crf)];
    case 'h264_nvenc':
      // Constant-quality VBR: -cq is NVENC's counterpart of CRF (same 0–51 scale).
      return [
        '-c:v',
        'h264_nvenc',
        '-preset',
        NVENC_PRESET[preset],
        '-rc',
        'vbr',
        '-cq',
        String(crf),
        '-b:v',
        '0',
      ];
    case 'h264_videotoolbox': {
      // Constant quality (-q:v) exists only on Apple Silicon; a bitrate works everywhere. 0.15 bit per
      // pixel at CRF 18, halved every 6 CRF steps as with x264.
      const bitsPerPixel = 0.15 * 2 ** ((18 - crf) / 6);
      const kbps = Math.max(200, Math.round((width * height * fps * bitsPerPixel) / 1000));
      return ['-c:v', 'h264_videotoolbox', '-b:v', `${kbps}k`, '-allow_sw', '1'];
    }
  }
}
