// Which H.264 decoder to use: NVDEC or VideoToolbox when a real hardware decode works here, software
// otherwise, and the ffmpeg input arguments for each. The decoder counterpart of encoders.ts.
import { run, start } from '@visage/ffmpeg';

export type VideoDecoder = 'software' | 'cuda' | 'videotoolbox';
export type HardwareVideoDecoder = Exclude<VideoDecoder, 'software'>;

const HARDWARE: readonly HardwareVideoDecoder[] = ['cuda', 'videotoolbox'];

/** Reads `ffmpeg -hwaccels`: a "Hardware acceleration methods:" header, then one name a line. */
export function parseHwaccels(listing: string): HardwareVideoDecoder[] {
  const names = new Set(listing.split('\n').map((line) => line.trim()));
  return HARDWARE.filter((name) => names.has(name));
}

let listed: Promise<HardwareVideoDecoder[]> | undefined;

/** The hardware decoders this ffmpeg was built with (cached; a failed listing is retried). */
export function detectHwaccels(): Promise<HardwareVideoDecoder[]> {
  listed ??= run('ffmpeg', ['-hide_banner', '-hwaccels'], 'Cannot list ffmpeg hwaccels').then(
    (listing) => parseHwaccels(listing.toString('utf8')),
    (error: unknown) => {
      listed = undefined;
      throw error;
    },
  );
  return listed;
}

// Each hardware decoder's frames as they leave the decoder, still in GPU memory.
const HARDWARE_FRAMES: Record<HardwareVideoDecoder, string> = {
  cuda: 'cuda',
  videotoolbox: 'videotoolbox_vld',
};

/**
 * Decodes two small H.264 frames with `decoder`: Debian's ffmpeg lists cuda on every machine, and only
 * a real decode tells whether a GPU and driver are there. Resolves to ffmpeg's complaint, or undefined.
 *
 * Without a GPU, ffmpeg 5.1 fails outright ("Cannot load libcuda.so.1 … Device setup failed for
 * decoder"). But when the device opens and the decoder then cannot start (libnvcuvid missing in a
 * container, a stream the chip cannot take), ffmpeg only logs "Failed setup for format cuda: hwaccel
 * initialisation returned error" and decodes in software with exit code 0. So the frames are kept on
 * the GPU and downloaded by `hwdownload`, which accepts nothing but hardware frames: a software
 * fallback fails with "Impossible to convert between the formats…".
 */
export async function testVideoDecoder(decoder: VideoDecoder): Promise<string | undefined> {
  let stream: Buffer;
  try {
    stream = await testStream();
  } catch (error) {
    return (error as Error).message;
  }
  const args = ['-hide_banner', '-loglevel', 'error'];
  if (decoder !== 'software') {
    args.push(...hwaccelArgs(decoder), '-hwaccel_output_format', HARDWARE_FRAMES[decoder]);
  }
  args.push('-f', 'h264', '-i', 'pipe:0');
  if (decoder !== 'software') args.push('-vf', 'hwdownload,format=nv12');
  args.push('-f', 'null', '-');
  const ffmpeg = start('ffmpeg', args, { stdin: 'pipe', stdout: 'ignore' });
  // A write to an ffmpeg that already died fails with EPIPE; its exit status and stderr say why.
  ffmpeg.stdin?.end(stream);
  try {
    await ffmpeg.result(`Test decode with ${decoder} failed`, { timeoutMs: 20_000 });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Two black 256×256 frames as a raw H.264 stream, made in memory. */
function testStream(): Promise<Buffer> {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=256x256:r=25'];
  args.push('-frames:v', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-f', 'h264', 'pipe:1');
  return run('ffmpeg', args, 'Cannot make a test H.264 stream', { timeoutMs: 20_000 });
}

export interface DecoderChoice {
  decoder: VideoDecoder;
  /** Why this one: worth logging when a listed hardware decoder was passed over. */
  reason: string;
}

export interface DecoderChoiceDeps {
  platform: NodeJS.Platform;
  listHwaccels: () => Promise<HardwareVideoDecoder[]>;
  testDecoder: (decoder: VideoDecoder) => Promise<string | undefined>;
}

/** What 'auto' means: VideoToolbox on macOS, NVDEC elsewhere, each only when it decodes; else software. */
export async function chooseVideoDecoder(deps: DecoderChoiceDeps): Promise<DecoderChoice> {
  const available = await deps.listHwaccels();
  const decoder: HardwareVideoDecoder = deps.platform === 'darwin' ? 'videotoolbox' : 'cuda';
  if (!available.includes(decoder)) {
    return { decoder: 'software', reason: `this ffmpeg has no ${decoder} hwaccel` };
  }
  const failure = await deps.testDecoder(decoder);
  return failure === undefined
    ? { decoder, reason: `${decoder} decodes on this machine` }
    : { decoder: 'software', reason: `${decoder} is listed but cannot decode here (${failure})` };
}

let autoChoice: Promise<DecoderChoice> | undefined;

/** chooseVideoDecoder for this machine, decided once per process. */
export function autoVideoDecoder(): Promise<DecoderChoice> {
  autoChoice ??= chooseVideoDecoder({
    platform: process.platform,
    listHwaccels: detectHwaccels,
    testDecoder: testVideoDecoder,
  }).catch((error: unknown) => {
    autoChoice = undefined;
    throw error;
  });
  return autoChoice;
}

/**
 * The ffmpeg arguments that go before `-i` to decode with `decoder`. Without -hwaccel_output_format
 * ffmpeg downloads each frame to system memory, so `-pix_fmt yuv420p` on a pipe works as with
 * software decoding. Only pass a decoder that autoVideoDecoder chose: on a machine without a GPU,
 * `ffmpeg -hwaccel cuda -i x.mp4 -f rawvideo -pix_fmt yuv420p -` does not fall back but exits with
 * code 1 and no frames ("Cannot load libcuda.so.1 … Device setup failed for decoder"; checked with
 * ffmpeg 5.1). With a GPU, a stream NVDEC cannot take (4:4:4, too large) is decoded in software:
 * slower, but the same frames.
 */
export function hwaccelArgs(decoder: VideoDecoder): string[] {
  return decoder === 'software' ? [] : ['-hwaccel', decoder];
}
