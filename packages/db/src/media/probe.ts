// Reads dimensions and timing from a stored file, decoding it fully so broken files are caught at upload.
import { FfmpegError, probe, type VideoInfo } from '@visage/ffmpeg';
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
    throw asMediaError(error, path, about);
  }
  return {
    width: info.displayWidth,
    height: info.displayHeight,
    durationMs: info.durationMs,
    fps: Math.round(info.fps * 1000) / 1000,
    codec: info.codec,
    hasAudio: info.hasAudio,
  };
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
