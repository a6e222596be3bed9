// Raw 8-bit images (HWC, interleaved RGB or RGBA) and their codecs. Decoding, encoding and resizing
// go through sharp (libvips); every pixel operation in this package works on RgbImage.
import sharp, { type Sharp } from 'sharp';

export interface RgbImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

/** A zero-filled image. */
export function createImage(width: number, height: number, channels: 3 | 4 = 3): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`Image size must be positive integers (got ${width}×${height})`);
  }
  return { width, height, channels, data: new Uint8Array(width * height * channels) };
}

/** Throws unless `data` holds exactly width·height·channels bytes. */
export function assertImage(img: RgbImage, what = 'image'): void {
  const expected = img.width * img.height * img.channels;
  if (img.channels !== 3 && img.channels !== 4) {
    throw new RangeError(`${what}: channels must be 3 or 4 (got ${img.channels})`);
  }
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new RangeError(`${what}: size must be positive integers (got ${img.width}×${img.height})`);
  }
  if (img.data.length !== expected) {
    throw new RangeError(
      `${what}: ${img.width}×${img.height}×${img.channels} needs ${expected} bytes, data has ${img.data.length}`,
    );
  }
}

function rawInput(img: RgbImage) {
  assertImage(img);
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
}

async function toRgbImage(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) {
    throw new Error(`sharp returned ${info.channels} channels, expected 3 or 4`);
  }
  return { width: info.width, height: info.height, channels: info.channels, data };
}

function wrap(what: string, error: unknown): Error {
  return new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/**
 * Decodes a file path or encoded bytes to 8-bit sRGB. EXIF orientation is applied (phone photos are
 * stored sideways). Alpha is dropped unless `alpha` is set, in which case opaque images gain one.
 * Greyscale and CMYK inputs come out as RGB.
 */
export async function decodeImage(
  input: string | Uint8Array,
  options: { alpha?: boolean } = {},
): Promise<RgbImage> {
  const what = `decodeImage(${typeof input === 'string' ? input : `${input.length} bytes`})`;
  try {
    const pipeline = sharp(input, { autoOrient: true }).toColourspace('srgb');
    return await toRgbImage(options.alpha ? pipeline.ensureAlpha() : pipeline.removeAlpha());
  } catch (error) {
    throw wrap(what, error);
  }
}

/** Encodes to PNG (lossless; `quality` is not used) or JPEG/WebP at `quality` 1–100 (default 90). */
export async function encodeImage(img: RgbImage, format: ImageFormat, quality = 90): Promise<Uint8Array> {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new RangeError(`encodeImage: quality must be an integer 1–100 (got ${quality})`);
  }
  const pipeline = rawInput(img);
  try {
    switch (format) {
      case 'png':
        return await pipeline.png().toBuffer();
      case 'jpeg':
        return await pipeline.jpeg({ quality }).toBuffer();
      case 'webp':
        return await pipeline.webp({ quality }).toBuffer();
      default:
        throw new Error(`unknown format "${format as string}"`);
    }
  } catch (error) {
    throw wrap(`encodeImage(${format})`, error);
  }
}

export interface ResizeOptions {
  /** 'fill' (default) gives exactly width×height; the others keep the aspect ratio, as in sharp. */
  fit?: 'fill' | 'contain' | 'cover' | 'inside' | 'outside';
  /** Default 'lanczos3' (sharp's), which also area-averages when shrinking. */
  kernel?: 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';
  /** Padding value (0–255, all colour channels) for fit 'contain'. Default 0. */
  fill?: number;
}

/** Resizes with sharp; the channel count is kept. */
export async function resizeImage(
  img: RgbImage,
  width: number,
  height: number,
  options: ResizeOptions = {},
): Promise<RgbImage> {
  const fill = options.fill ?? 0;
  const pipeline = rawInput(img).resize(width, height, {
    fit: options.fit ?? 'fill',
    kernel: options.kernel ?? 'lanczos3',
    background: { r: fill, g: fill, b: fill, alpha: 1 },
  });
  try {
    return await toRgbImage(pipeline);
  } catch (error) {
    throw wrap(`resizeImage(${img.width}×${img.height} → ${width}×${height})`, error);
  }
}
