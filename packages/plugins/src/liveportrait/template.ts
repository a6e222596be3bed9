// biome-ignore-all lint/style/noNonNullAssertion: typed-array reads are in bounds by construction
// Motion templates: the motion of a driving video, extracted once and reused to animate other
// portraits without decoding the video again (LP's make_motion_template). Stored as a PNG — the
// first driving crop, so the gallery shows what the motion is — carrying the motion in a private
// ancillary chunk "vsMo" (zlib-compressed JSON with the numbers as base64 float32). Viewers ignore
// the chunk; the media store accepts the file as the image it is.
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { encodeImage, type RgbImage } from '@visage/inference';

/** One driving frame: pose in degrees, translation, expression, scale, eye/lip ratios (NaN if unknown). */
export interface MotionFrame {
  pitch: number;
  yaw: number;
  roll: number;
  t: Float32Array; // 3
  exp: Float32Array; // 63
  scale: number;
  eyeRatios: [number, number];
  lipRatio: number;
}

export interface MotionTemplate {
  fps: number;
  /** The driving video's size and name, for display. */
  source: { name: string; width: number; height: number };
  frames: MotionFrame[];
}

const CHUNK_TYPE = 'vsMo';
const VERSION = 1;
const FLOATS_PER_FRAME = 3 + 3 + 63 + 1 + 3;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export class MotionTemplateError extends Error {
  override name = 'MotionTemplateError';
}

function pack(frames: readonly MotionFrame[]): Float32Array {
  const out = new Float32Array(frames.length * FLOATS_PER_FRAME);
  frames.forEach((f, i) => {
    let o = i * FLOATS_PER_FRAME;
    out[o++] = f.pitch;
    out[o++] = f.yaw;
    out[o++] = f.roll;
    out.set(f.t.subarray(0, 3), o);
    o += 3;
    out.set(f.exp.subarray(0, 63), o);
    o += 63;
    out[o++] = f.scale;
    out[o++] = f.eyeRatios[0];
    out[o++] = f.eyeRatios[1];
    out[o] = f.lipRatio;
  });
  return out;
}

function unpack(data: Float32Array, count: number): MotionFrame[] {
  const frames: MotionFrame[] = [];
  for (let i = 0; i < count; i++) {
    const o = i * FLOATS_PER_FRAME;
    frames.push({
      pitch: data[o]!,
      yaw: data[o + 1]!,
      roll: data[o + 2]!,
      t: data.slice(o + 3, o + 6),
      exp: data.slice(o + 6, o + 69),
      scale: data[o + 69]!,
      eyeRatios: [data[o + 70]!, data[o + 71]!],
      lipRatio: data[o + 72]!,
    });
  }
  return frames;
}

function chunk(type: string, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(payload.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), payload])), 0);
  return Buffer.concat([head, payload, crc]);
}

/** A PNG of `poster` carrying the template. */
export async function encodeMotionTemplate(template: MotionTemplate, poster: RgbImage): Promise<Uint8Array> {
  const png = Buffer.from(await encodeImage(poster, 'png'));
  const floats = pack(template.frames);
  const json = JSON.stringify({
    version: VERSION,
    fps: template.fps,
    source: template.source,
    frames: template.frames.length,
    data: Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64'),
  });
  const iend = png.length - 12; // IEND is the last chunk: length, type, CRC, no data
  if (png.subarray(iend + 4, iend + 8).toString('latin1') !== 'IEND')
    throw new Error('PNG without a final IEND');
  return Buffer.concat([png.subarray(0, iend), chunk(CHUNK_TYPE, deflateSync(json)), png.subarray(iend)]);
}

/** The template in a PNG written by encodeMotionTemplate; a MotionTemplateError for anything else. */
export function decodeMotionTemplate(bytes: Uint8Array, name = 'the file'): MotionTemplate {
  const png = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new MotionTemplateError(`${name} is not a motion template (not a PNG)`);
  }
  for (let o = 8; o + 12 <= png.length; ) {
    const length = png.readUInt32BE(o);
    const type = png.subarray(o + 4, o + 8).toString('latin1');
    if (type === CHUNK_TYPE) {
      const payload = png.subarray(o + 8, o + 8 + length);
      if (crc32(png.subarray(o + 4, o + 8 + length)) !== png.readUInt32BE(o + 8 + length)) {
        throw new MotionTemplateError(`The motion in ${name} is damaged (checksum mismatch)`);
      }
      return parse(payload, name);
    }
    o += 12 + length;
  }
  throw new MotionTemplateError(
    `${name} is an image, not a motion template (save one with "Save the motion" on a driving video)`,
  );
}

function parse(payload: Buffer, name: string): MotionTemplate {
  let value: {
    version?: number;
    fps?: number;
    source?: MotionTemplate['source'];
    frames?: number;
    data?: string;
  };
  try {
    value = JSON.parse(inflateSync(payload).toString('utf8'));
  } catch (error) {
    throw new MotionTemplateError(`The motion in ${name} cannot be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (value.version !== VERSION) {
    throw new MotionTemplateError(
      `${name} is a motion template of version ${value.version}; this Visage reads ${VERSION}`,
    );
  }
  const count = value.frames ?? 0;
  const raw = Buffer.from(value.data ?? '', 'base64');
  if (
    !(count > 0) ||
    raw.length !== count * FLOATS_PER_FRAME * 4 ||
    !(value.fps && value.fps > 0) ||
    !value.source
  ) {
    throw new MotionTemplateError(`The motion in ${name} is incomplete`);
  }
  const floats = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  return { fps: value.fps, source: value.source, frames: unpack(floats, count) };
}
