// Letterboxing: fit an image inside a fixed model input without distorting it, padding the rest, and
// map points between the two. Coordinates are continuous (pixel i spans [i, i+1)), as detector boxes are.
import type { RgbImage } from '../image/image.ts';
import { resizeLinear } from '../image/warp.ts';
import { assertPicture, isYuv, type Picture } from '../image/yuv.ts';

export interface Letterbox {
  image: RgbImage;
  /** Original pixels → letterboxed pixels. */
  scale: number;
  /** Left and top padding in letterboxed pixels. */
  padX: number;
  padY: number;
}

export interface LetterboxOptions {
  /** 'center' (MediaPipe/BlazeFace, default) or 'top-left' (insightface SCRFD, LivePortrait: pad right/bottom). */
  position?: 'center' | 'top-left';
  /** Padding value, 0–255 for every channel. Default 0. */
  fill?: number;
}

/**
 * Scales `img` by min(W/w, H/h) into a W×H canvas (`size` = W = H, or { width, height }). The short
 * side is rounded to whole pixels, so along it points are exact to within half a letterboxed pixel.
 * Resampled bilinearly as cv2.resize's default (INTER_LINEAR), which is what insightface, FaceFusion
 * and MediaPipe feed their detectors: the same pixels they see, and in a fraction of sharp's time.
 */
export function letterbox(
  img: Picture,
  size: number | { width: number; height: number },
  options: LetterboxOptions = {},
): Letterbox {
  assertPicture(img, 'letterbox');
  const W = typeof size === 'number' ? size : size.width;
  const H = typeof size === 'number' ? size : size.height;
  if (!Number.isInteger(W) || !Number.isInteger(H) || W <= 0 || H <= 0) {
    throw new RangeError(`letterbox: size must be positive integers (got ${W}×${H})`);
  }
  const fill = options.fill ?? 0;
  if (!(fill >= 0 && fill <= 255)) throw new RangeError(`letterbox: fill must be 0–255 (got ${fill})`);
  const scale = Math.min(W / img.width, H / img.height);
  const w = Math.min(W, Math.max(1, Math.round(img.width * scale)));
  const h = Math.min(H, Math.max(1, Math.round(img.height * scale)));
  // A yuv420p frame is converted by the resampling itself, only at the letterboxed size.
  const resized = w === img.width && h === img.height && !isYuv(img) ? img : resizeLinear(img, w, h);
  const center = (options.position ?? 'center') === 'center';
  const padX = center ? Math.floor((W - w) / 2) : 0;
  const padY = center ? Math.floor((H - h) / 2) : 0;
  const ch = resized.channels;
  const data = new Uint8Array(W * H * ch).fill(fill);
  for (let y = 0; y < h; y++) {
    data.set(resized.data.subarray(y * w * ch, (y + 1) * w * ch), ((y + padY) * W + padX) * ch);
  }
  return { image: { width: W, height: H, channels: ch, data }, scale, padX, padY };
}

/** Original-image point → letterboxed point. */
export function letterboxPoint(lb: Omit<Letterbox, 'image'>, point: readonly number[]): [number, number] {
  return [(point[0] ?? Number.NaN) * lb.scale + lb.padX, (point[1] ?? Number.NaN) * lb.scale + lb.padY];
}

/** Letterboxed point (e.g. a detection) → original-image point. */
export function unletterboxPoint(lb: Omit<Letterbox, 'image'>, point: readonly number[]): [number, number] {
  return [((point[0] ?? Number.NaN) - lb.padX) / lb.scale, ((point[1] ?? Number.NaN) - lb.padY) / lb.scale];
}
