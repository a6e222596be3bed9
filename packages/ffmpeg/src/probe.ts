// The one video prober: what uploads store (codec, displayed size, duration, fps, audio) and what the
// pipelines need to decode and re-encode (exact frame rate, frame count, rotation, stream index), read
// from ffprobe's JSON output.
import { basename } from 'node:path';
import { FfmpegError } from './errors.ts';
import { run } from './process.ts';
import { parseRational } from './rational.ts';

export interface VideoInfo {
  /** As stored; a player turns the picture by `rotation` (ffmpeg's decoder does too). */
  width: number;
  height: number;
  /** Degrees counterclockwise from the display matrix (ffprobe's convention): 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  /** As displayed, i.e. after `rotation`: a quarter turn swaps the sides. */
  displayWidth: number;
  displayHeight: number;
  /** Frames per second ffmpeg decodes at, e.g. 29.97002997 for NTSC. */
  fps: number;
  /** The same rate as the exact rational ffprobe reports, e.g. "30000/1001". */
  frameRate: string;
  /** The container's frame count, else duration × fps, else the packets counted. */
  frameCount: number;
  /** The video stream's length (not the container's, whose audio may run longer). */
  durationMs: number;
  /** ffprobe's codec name: "h264", "hevc", "vp9", "av1"… */
  codec: string;
  /** ffprobe's pixel format: "yuv420p", "yuv420p10le"… */
  pixelFormat: string;
  hasAudio: boolean;
  /** Index of the described stream in the file (cover art is skipped). */
  streamIndex: number;
  /** How its YUV samples map to colours (docs/video.md §2). */
  color: VideoColor;
}

/**
 * The matrix and range the pipelines convert with, and the tags the file declares, which a re-encode
 * repeats. An undeclared matrix is read as BT.601 and an undeclared range as tv, as swscale does.
 */
export interface VideoColor {
  matrix: 'bt601' | 'bt709' | 'bt2020';
  range: 'tv' | 'pc';
  /** ffprobe's names, undefined where the file leaves them unspecified. */
  tags: { space?: string; primaries?: string; transfer?: string; range?: 'tv' | 'pc' };
}

export interface AudioStreamInfo {
  /** Index of the first audio stream in the file. */
  streamIndex: number;
  /** ffprobe's codec name: "aac", "opus", "pcm_s16le"… */
  codec: string;
}

interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
  start_time?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  color_range?: string;
  color_space?: string;
  color_primaries?: string;
  color_transfer?: string;
  side_data_list?: { rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; start_time?: string; format_name?: string };
}

const PROBE_TIMEOUT_MS = 120_000;

/**
 * Describes the video stream of `path`. Fails with an FfmpegError `Cannot read video "<file>": …` whose
 * `reason` is 'no-video-stream' when there is none, 'unusable' when it lacks a size, codec, rate or
 * length, else how ffprobe failed (usually its own complaint about the file).
 */
export async function probe(path: string): Promise<VideoInfo> {
  const purpose = `Cannot read video "${basename(path)}"`;
  const output = await ffprobeJson(path, purpose);
  // Cover art in MP4/MKV shows up as a one-frame "video" stream; it is not the video.
  const video = output.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) {
    // Random bytes can pass for an obscure format (LRC lyrics, raw text…): say what ffprobe saw.
    const seen = output.format?.format_name ? ` (ffprobe reads it as "${output.format.format_name}")` : '';
    throw unusable(purpose, `no video stream${seen}`, 'no-video-stream');
  }
  if (!video.width || !video.height || !video.codec_name) {
    throw unusable(purpose, 'its video stream has no dimensions or codec');
  }
  const frameRate = pickFrameRate(video);
  if (!frameRate) throw unusable(purpose, 'its video stream has no frame rate');
  const fps = parseRational(frameRate) as number;
  let seconds = Number(video.duration ?? Number.NaN);
  if (!Number.isFinite(seconds)) {
    // Matroska/WebM give only the file's duration, which starts at the earliest stream (often the
    // audio, a few ms before the video): count from where the video starts.
    const late = Number(video.start_time ?? 0) - Number(output.format?.start_time ?? 0);
    seconds = Number(output.format?.duration ?? Number.NaN) - Math.max(late, 0);
  }
  let frameCount = Number(video.nb_frames ?? Number.NaN);
  if (!Number.isFinite(seconds) && !Number.isFinite(frameCount)) {
    // No duration in the headers (e.g. WebM recorded by browsers' MediaRecorder): read the packets.
    ({ frameCount, seconds } = await scanPackets(path, purpose, video.index));
  }
  if (!Number.isFinite(seconds)) seconds = frameCount / fps;
  if (!Number.isFinite(frameCount) || frameCount <= 0) frameCount = Math.round(seconds * fps);
  const rotation = rotationOf(video);
  const quarterTurn = rotation === 90 || rotation === 270;
  return {
    width: video.width,
    height: video.height,
    rotation,
    displayWidth: quarterTurn ? video.height : video.width,
    displayHeight: quarterTurn ? video.width : video.height,
    fps,
    frameRate,
    frameCount,
    durationMs: Math.round(seconds * 1000),
    codec: video.codec_name,
    pixelFormat: video.pix_fmt ?? 'unknown',
    hasAudio: output.streams?.some((s) => s.codec_type === 'audio') ?? false,
    streamIndex: video.index,
    color: colorOf(video),
  };
}

const MATRICES: Record<string, VideoColor['matrix']> = {
  bt709: 'bt709',
  smpte170m: 'bt601',
  bt470bg: 'bt601',
  fcc: 'bt601',
  bt2020nc: 'bt2020',
  bt2020c: 'bt2020',
};

function colorOf(video: FfprobeStream): VideoColor {
  const known = (value: string | undefined) =>
    value && value !== 'unknown' && value !== 'reserved' ? value : undefined;
  const space = known(video.color_space);
  const declared = known(video.color_range);
  // yuvj420p and friends are JPEG's full range whatever the tag says.
  const range = declared === 'pc' || video.pix_fmt?.startsWith('yuvj') ? 'pc' : 'tv';
  const tags: VideoColor['tags'] = {};
  if (space) tags.space = space;
  const primaries = known(video.color_primaries);
  if (primaries) tags.primaries = primaries;
  const transfer = known(video.color_transfer);
  if (transfer) tags.transfer = transfer;
  if (declared === 'tv' || declared === 'pc') tags.range = declared;
  return { matrix: (space && MATRICES[space]) || 'bt601', range, tags };
}

/** The first audio stream of `path` (which need not have video); undefined when it has none. */
export async function probeAudio(path: string): Promise<AudioStreamInfo | undefined> {
  const output = await ffprobeJson(path, `Cannot read the audio of "${basename(path)}"`);
  const stream = output.streams?.find((s) => s.codec_type === 'audio');
  return stream ? { streamIndex: stream.index, codec: stream.codec_name ?? 'unknown' } : undefined;
}

async function ffprobeJson(path: string, purpose: string): Promise<FfprobeOutput> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
  const stdout = await run('ffprobe', args, purpose, { timeoutMs: PROBE_TIMEOUT_MS });
  try {
    return JSON.parse(stdout.toString('utf8')) as FfprobeOutput;
  } catch (error) {
    throw unusable(purpose, `ffprobe printed invalid JSON: ${(error as Error).message}`, 'unusable', error);
  }
}

/**
 * Reads every packet of the stream, as a player would: their number is the frame count, and the last
 * one's end (from the first one's start) is the length.
 */
async function scanPackets(path: string, purpose: string, index: number) {
  const args = ['-v', 'error', '-select_streams', String(index)];
  args.push('-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', path);
  // One short line per packet: 256 MiB is days of video.
  const stdout = await run('ffprobe', args, purpose, {
    timeoutMs: PROBE_TIMEOUT_MS,
    maxStdoutBytes: 256 * 1024 ** 2,
  });
  let frameCount = 0;
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const line of stdout.toString('utf8').split('\n')) {
    const [ptsText = '', durationText = ''] = line.split(',');
    // Number('') is 0: an empty field (or the last, empty line) is not a time.
    const pts = ptsText ? Number(ptsText) : Number.NaN;
    const duration = durationText ? Number(durationText) : Number.NaN;
    if (!Number.isFinite(pts)) continue;
    frameCount++;
    first = Math.min(first, pts);
    end = Math.max(end, pts + (Number.isFinite(duration) ? duration : 0));
  }
  if (frameCount === 0) throw unusable(purpose, 'its length cannot be determined');
  // Without packet durations a single packet has no length: the caller then uses frameCount / fps.
  return { frameCount, seconds: end > first ? end - first : Number.NaN };
}

function unusable(
  purpose: string,
  detail: string,
  reason: 'unusable' | 'no-video-stream' = 'unusable',
  cause?: unknown,
): FfmpegError {
  return new FfmpegError(purpose, detail, { tool: 'ffprobe', reason, cause });
}

/**
 * The rate ffmpeg itself will output at (its av_guess_frame_rate): r_frame_rate, unless that is a
 * timebase-like value (>210) while the average is plausible, as with some variable-rate files.
 */
function pickFrameRate(stream: FfprobeStream): string | undefined {
  const real = parseRational(stream.r_frame_rate);
  const average = parseRational(stream.avg_frame_rate);
  if (real !== undefined && !(real > 210 && average !== undefined && average < 70))
    return stream.r_frame_rate;
  return average !== undefined ? stream.avg_frame_rate : undefined;
}

function rotationOf(stream: FfprobeStream): VideoInfo['rotation'] {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  // The legacy `rotate` tag counts clockwise; the display matrix counterclockwise.
  const degrees = matrix ?? -Number(stream.tags?.rotate ?? 0);
  const quarter = (((Math.round(degrees / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[quarter];
}
