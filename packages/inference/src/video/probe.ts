// Reads a video's geometry and timing with ffprobe's JSON output, which the decoder and encoder rely on.
import { basename } from 'node:path';
import { FfmpegError, ffprobePath, runTool } from './process.ts';
import { parseRational } from './rational.ts';

export interface VideoInfo {
  /** As stored; a player turns the picture by `rotation` (decodeFrames does too). */
  width: number;
  height: number;
  /** Frames per second, e.g. 29.97002997 for NTSC. */
  fps: number;
  /** The same rate as the exact rational ffprobe reports, e.g. "30000/1001". */
  frameRate: string;
  /** The container's frame count, or duration × fps when it does not say. */
  frameCount: number;
  durationMs: number;
  /** ffprobe's codec name: "h264", "hevc", "vp9"… */
  codec: string;
  /** ffprobe's pixel format: "yuv420p", "yuv420p10le"… */
  pixelFormat: string;
  hasAudio: boolean;
  /** Degrees counterclockwise from the display matrix (ffprobe's convention): 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  /** Index of the described stream in the file (cover art is skipped). */
  streamIndex: number;
}

export interface FfprobeStream {
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
  nb_read_packets?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string; start_time?: string; format_name?: string };
}

/** `Cannot read video "clip.mp4"`: the start of every probe error. */
const purposeFor = (path: string) => `Cannot read video "${basename(path)}"`;

export async function ffprobeJson(
  path: string,
  purpose: string,
  extra: string[] = [],
): Promise<FfprobeOutput> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...extra, path];
  const stdout = await runTool(ffprobePath(), args, purpose);
  try {
    return JSON.parse(stdout) as FfprobeOutput;
  } catch (error) {
    throw new FfmpegError(purpose, `ffprobe printed invalid JSON: ${(error as Error).message}`, '', {
      cause: error,
    });
  }
}

export async function probeVideo(path: string): Promise<VideoInfo> {
  const purpose = purposeFor(path);
  const output = await ffprobeJson(path, purpose);
  // Cover art in MP4/MKV shows up as a one-frame "video" stream; it is not the video.
  const video = output.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) {
    // Random bytes can pass for an obscure format (LRC lyrics, raw text…): say what ffprobe saw.
    const seen = output.format?.format_name ? ` (ffprobe reads it as "${output.format.format_name}")` : '';
    throw new FfmpegError(purpose, `no video stream${seen}`);
  }
  if (!video.width || !video.height || !video.codec_name) {
    throw new FfmpegError(purpose, 'its video stream has no dimensions or codec');
  }
  const frameRate = pickFrameRate(video);
  if (!frameRate) throw new FfmpegError(purpose, 'its video stream has no frame rate');
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
    // No duration in the headers (e.g. browser-recorded WebM): count the packets, as a player would.
    frameCount = await countPackets(path, purpose, video.index);
  }
  if (!Number.isFinite(seconds)) seconds = frameCount / fps;
  if (!Number.isFinite(frameCount) || frameCount <= 0) frameCount = Math.round(seconds * fps);
  return {
    width: video.width,
    height: video.height,
    fps,
    frameRate,
    frameCount,
    durationMs: Math.round(seconds * 1000),
    codec: video.codec_name,
    pixelFormat: video.pix_fmt ?? 'unknown',
    hasAudio: output.streams?.some((s) => s.codec_type === 'audio') ?? false,
    rotation: rotationOf(video),
    streamIndex: video.index,
  };
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

async function countPackets(path: string, purpose: string, index: number): Promise<number> {
  const output = await ffprobeJson(path, purpose, ['-count_packets', '-select_streams', String(index)]);
  const count = Number(output.streams?.[0]?.nb_read_packets ?? Number.NaN);
  if (!(count > 0)) throw new FfmpegError(purpose, 'its length cannot be determined');
  return count;
}

function rotationOf(stream: FfprobeStream): VideoInfo['rotation'] {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  // The legacy `rotate` tag counts clockwise; the display matrix counterclockwise.
  const degrees = matrix ?? -Number(stream.tags?.rotate ?? 0);
  const quarter = (((Math.round(degrees / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[quarter];
}
