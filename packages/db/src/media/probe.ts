// Reads dimensions and timing from a stored file, decoding it fully so broken files are caught at upload.
import sharp from 'sharp';
import { MediaError, type MediaSubject } from './errors.ts';
import { runTool, ToolError } from './exec.ts';

export interface ImageProbe {
  /** As displayed, i.e. after the EXIF orientation is applied. */
  width: number;
  height: number;
  /** sharp's decoder name: "png", "jpeg", "webp". */
  format: string;
}

export interface VideoProbe {
  /** As displayed, i.e. after the container's rotation is applied. */
  width: number;
  height: number;
  durationMs: number;
  /** Average frame rate; undefined when the container does not say. */
  fps?: number;
  /** ffprobe's codec name: "h264", "hevc", "vp9", "av1"… */
  codec: string;
  hasAudio: boolean;
}

/** sharp's own default limit (0x3FFF²): bigger images would need gigabytes to decode. */
export const MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;

export async function probeImage(path: string, subject: MediaSubject = {}): Promise<ImageProbe> {
  const about = { what: 'image', ...subject };
  try {
    const meta = await sharp(path, { failOn: 'truncated' }).metadata();
    if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
      throw MediaError.tooManyPixels(about, meta.width, meta.height, MAX_IMAGE_PIXELS);
    }
    // Headers can be intact while the pixel data is cut off: stats() decodes every pixel (tile by
    // tile, without holding the whole bitmap) and fails on truncated data.
    await sharp(path, { failOn: 'truncated' }).stats();
    return { width: meta.autoOrient.width, height: meta.autoOrient.height, format: meta.format };
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw MediaError.corrupt(about, (error as Error).message, error);
  }
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: { rotation?: number }[];
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string };
}

export async function probeVideo(path: string, subject: MediaSubject = {}): Promise<VideoProbe> {
  const about = { what: 'video', ...subject };
  const info = await ffprobe(path, about);
  // Cover art in MP4/MKV shows up as a one-frame "video" stream; it is not the video.
  const video = info.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!video) throw MediaError.noVideoStream(about);
  if (!video.width || !video.height || !video.codec_name) {
    throw MediaError.corrupt(about, 'its video stream has no dimensions or codec');
  }
  const seconds = Number(info.format?.duration ?? video.duration ?? Number.NaN);
  const durationMs = Number.isFinite(seconds)
    ? Math.round(seconds * 1000)
    : await scanDurationMs(path, about);
  const quarterTurn = Math.abs(rotation(video)) % 180 === 90;
  const fps = frameRate(video.avg_frame_rate) ?? frameRate(video.r_frame_rate);
  return {
    width: quarterTurn ? video.height : video.width,
    height: quarterTurn ? video.width : video.height,
    durationMs,
    ...(fps === undefined ? {} : { fps }),
    codec: video.codec_name,
    hasAudio: info.streams?.some((s) => s.codec_type === 'audio') ?? false,
  };
}

async function ffprobe(path: string, about: MediaSubject): Promise<FfprobeOutput> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path];
  const stdout = await decoderCall(path, about, args);
  try {
    return JSON.parse(stdout.toString('utf8')) as FfprobeOutput;
  } catch (error) {
    throw new Error(`ffprobe printed invalid JSON for ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Some files (e.g. WebM recorded by browsers' MediaRecorder) carry no duration in their headers;
 * then the last video packet's end time is the duration. This reads the whole file, as a player would.
 */
async function scanDurationMs(path: string, about: MediaSubject): Promise<number> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,duration_time'];
  const stdout = await decoderCall(path, about, [...args, '-of', 'csv=p=0', path], 256 * 1024 ** 2);
  let endSeconds = 0;
  for (const line of stdout.toString('utf8').split('\n')) {
    const [pts, duration] = line.split(',').map(Number);
    if (Number.isFinite(pts))
      endSeconds = Math.max(endSeconds, (pts ?? 0) + (Number.isFinite(duration) ? (duration ?? 0) : 0));
  }
  if (endSeconds <= 0) throw MediaError.corrupt(about, 'its duration cannot be determined');
  return Math.round(endSeconds * 1000);
}

/** Runs ffprobe; a decoder complaint about the file becomes CORRUPT, with our temp path taken out. */
async function decoderCall(path: string, about: MediaSubject, args: string[], maxStdoutBytes?: number) {
  try {
    return await runTool('ffprobe', args, { maxStdoutBytes });
  } catch (error) {
    if (!(error instanceof ToolError)) throw error;
    throw MediaError.corrupt(about, error.detailWithout(path), error);
  }
}

function rotation(stream: FfprobeStream): number {
  const fromSideData = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation;
  return fromSideData ?? Number(stream.tags?.rotate ?? 0);
}

/** "30000/1001" → 29.97; undefined for "0/0" (unknown). */
function frameRate(ratio: string | undefined): number | undefined {
  const [num, den] = (ratio ?? '').split('/').map(Number);
  if (!num || !den) return undefined;
  return Math.round((num / den) * 1000) / 1000;
}
