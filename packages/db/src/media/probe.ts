// Reads dimensions and timing from a stored file, decoding it fully so broken files are caught at upload.
import { FfmpegError, probe, probeAudio, run, type VideoInfo } from '@visage/ffmpeg';
import sharp from 'sharp';
import { MediaError, type MediaSubject } from './errors.ts';

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
  /** The rate ffmpeg decodes at, to the millihertz (29.97). */
  fps: number;
  /** ffprobe's codec name: "h264", "hevc", "vp9", "av1"… */
  codec: string;
  hasAudio: boolean;
}

/** sharp's own default limit (0x3FFF²): bigger images would need gigabytes to decode. */
export const MAX_IMAGE_PIXELS = 0x3fff * 0x3fff;

/** 8192² (8K UHD is 7680×4320): a bigger frame would take hundreds of MB per decoded picture. */
export const MAX_VIDEO_PIXELS = 8192 * 8192;

export async function probeImage(path: string, subject: MediaSubject = {}): Promise<ImageProbe> {
  const about = { what: 'image', ...subject };
  try {
    // Reading the header decodes nothing, so sharp's own pixel limit is lifted here: the declared size
    // of a decompression bomb is then refused as TOO_LARGE below, not as a corrupt file.
    const meta = await sharp(path, { failOn: 'truncated', limitInputPixels: false }).metadata();
    if (meta.width * meta.height > MAX_IMAGE_PIXELS) {
      throw MediaError.tooManyPixels(about, meta.width, meta.height, MAX_IMAGE_PIXELS);
    }
    // An animation is not a photo: plugins would silently see its first frame only.
    if ((meta.pages ?? 1) > 1) throw MediaError.animated(about, meta.pages ?? 1);
    // Headers can be intact while the pixel data is cut off: stats() decodes every pixel (tile by
    // tile, without holding the whole bitmap) and fails on truncated data.
    await sharp(path, { failOn: 'truncated' }).stats();
    return { width: meta.autoOrient.width, height: meta.autoOrient.height, format: meta.format };
  } catch (error) {
    if (error instanceof MediaError) throw error;
    throw MediaError.corrupt(about, (error as Error).message, error);
  }
}

/**
 * Describes an uploaded video with @visage/ffmpeg's probe. What is wrong with the file becomes a
 * MediaError for the uploader; ffprobe missing (or FFPROBE_PATH pointing nowhere) stays an FfmpegError:
 * that is the server's problem, not the file's.
 */
export async function probeVideo(path: string, subject: MediaSubject = {}): Promise<VideoProbe> {
  const about = { what: 'video', ...subject };
  let info: VideoInfo;
  try {
    info = await probe(path);
  } catch (error) {
    if (error instanceof FfmpegError && error.reason === 'no-video-stream') {
      throw MediaError.noVideoStream(about, (await probeAudio(path).catch(() => undefined)) !== undefined);
    }
    throw asMediaError(error, path, about);
  }
  if (info.width * info.height > MAX_VIDEO_PIXELS) {
    throw MediaError.tooManyPixels(about, info.width, info.height, MAX_VIDEO_PIXELS, 'video');
  }
  await readEveryPacket(path, about);
  return {
    width: info.displayWidth,
    height: info.displayHeight,
    durationMs: info.durationMs,
    fps: Math.round(info.fps * 1000) / 1000,
    codec: info.codec,
    hasAudio: info.hasAudio,
  };
}

/** Long enough to read a 2 GB upload from disk; reading copies packets and decodes nothing. */
const READ_TIMEOUT_MS = 600_000;

/**
 * Reads every packet of the video stream without decoding it (`-c copy` to nothing, stopping at the
 * first error), so a file whose index is intact but whose data is cut off (an MP4 with its `moov` at
 * the front, half uploaded) or that lists no frames at all is refused at upload, not in a job.
 */
async function readEveryPacket(path: string, about: MediaSubject): Promise<void> {
  const args = ['-v', 'error', '-nostdin', '-xerror', '-i', path, '-map', '0:V:0', '-c', 'copy'];
  args.push('-f', 'null', '-progress', 'pipe:1', '-nostats', '-');
  let progress: Buffer;
  try {
    progress = await run('ffmpeg', args, 'Cannot read the video', { timeoutMs: READ_TIMEOUT_MS });
  } catch (error) {
    throw asMediaError(error, path, about);
  }
  // -progress prints "frame=<packets so far>" blocks; the last one is the total.
  const frames = [...progress.toString('utf8').matchAll(/^frame=(\d+)$/gm)].at(-1)?.[1];
  if (frames === '0') throw MediaError.corrupt(about, 'its video stream has no frames.');
}

/** ffmpeg/ffprobe's complaint about an uploaded file, as a MediaError with our temp path taken out. */
export function asMediaError(error: unknown, path: string, about: MediaSubject): unknown {
  if (!(error instanceof FfmpegError)) return error;
  switch (error.reason) {
    case 'not-installed':
    case 'cannot-start':
      return error;
    case 'no-video-stream':
      return MediaError.noVideoStream(about);
    default:
      return MediaError.corrupt(about, error.detailWithout(path), error);
  }
}
