// The bad-input corpus (docs/reliability.md §6): files a careless or hostile uploader might send, each
// built on the fly (nothing is checked in) with sharp, ffmpeg or plain bytes, and what the media store
// must make of it: a typed MediaError naming the problem, or a stored file with the right facts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { run } from '@visage/ffmpeg';
import sharp from 'sharp';
import type { MediaErrorCode } from './errors.ts';
import type { MediaLimits } from './limits.ts';
import type { StoredMedia } from './store.ts';
import { noiseImageBytes, writeVideo } from './testing.ts';

/** Small limits, so "too large" files stay small enough to build quickly. */
export const CORPUS_LIMITS: MediaLimits = { maxImageBytes: 1024 ** 2, maxVideoBytes: 4 * 1024 ** 2 };

export type CorpusOutcome = { refused: MediaErrorCode; message: RegExp } | { accepted: Partial<StoredMedia> };

export interface CorpusCase {
  id: string;
  /** The name the upload claims (only ever used in messages). */
  name: string;
  /** The size the upload declares (Content-Length): its real size unless set; null for none (streamed). */
  declaredBytes?: number | null;
  /** Writes scratch files under `dir` when it needs ffmpeg. */
  build(dir: string): Promise<Uint8Array>;
  outcome: CorpusOutcome;
}

const refused = (code: MediaErrorCode, message: RegExp): CorpusOutcome => ({ refused: code, message });
const accepted = (facts: Partial<StoredMedia>): CorpusOutcome => ({ accepted: facts });
const text = (s: string) => new TextEncoder().encode(s);

/** A still image of one colour (or two halves, to see an orientation). */
function still(width: number, height: number, channels: 3 | 4 = 3) {
  const background = channels === 4 ? { r: 10, g: 120, b: 200, alpha: 0.5 } : { r: 10, g: 120, b: 200 };
  return sharp({ create: { width, height, channels, background } });
}

/** 400×100, red on the left half and blue on the right: a quarter turn puts red on top. */
async function halves(): Promise<Buffer> {
  const half = (r: number, b: number) =>
    sharp({ create: { width: 200, height: 100, channels: 3, background: { r, g: 0, b } } })
      .png()
      .toBuffer();
  return sharp({ create: { width: 400, height: 100, channels: 3, background: '#000' } })
    .composite([
      { input: await half(255, 0), left: 0, top: 0 },
      { input: await half(0, 255), left: 200, top: 0 },
    ])
    .jpeg()
    .toBuffer();
}

/** A PNG chunk: length, type, data and its CRC over type + data. */
function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A valid small PNG whose IHDR declares width×height (the CRC recomputed, so only the size lies). */
async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = await still(16, 16).png().toBuffer();
  const ihdr = Buffer.from(png.subarray(16, 29)); // IHDR data: after signature, length and type
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  return Buffer.concat([png.subarray(0, 8), pngChunk('IHDR', ihdr), png.subarray(33)]);
}

/** A valid small JPEG whose SOF0 frame header declares width×height. */
async function jpegDeclaring(width: number, height: number): Promise<Buffer> {
  const jpeg = Buffer.from(await still(16, 16).jpeg({ mozjpeg: false }).toBuffer());
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  if (sof < 0) throw new Error('corpus: no baseline SOF0 marker in the JPEG');
  jpeg.writeUInt16BE(height, sof + 5);
  jpeg.writeUInt16BE(width, sof + 7);
  return jpeg;
}

/** The file `ffmpeg <args> <dir>/<name>` writes. */
async function ffmpeg(dir: string, name: string, args: string[]): Promise<Buffer> {
  const out = path.join(dir, name);
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args, out], `corpus: write ${name}`);
  return readFile(out);
}

const pattern = (size = '160x120', fps = 10) => ['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=${fps}`];
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

async function mp4(dir: string, name: string, extra: string[] = []): Promise<Buffer> {
  return ffmpeg(dir, name, [...pattern(), '-t', '1', ...h264, ...extra]);
}

/** The offset of an MP4 box's type (e.g. "moov") in `bytes`. */
function boxAt(bytes: Buffer, type: string): number {
  const at = bytes.indexOf(type, 0, 'latin1');
  if (at < 4) throw new Error(`corpus: no "${type}" box`);
  return at;
}

/** An MP4 whose video track lists no samples: a stream with a size and a length, and no frame. */
async function zeroFrameMp4(dir: string): Promise<Buffer> {
  const bytes = await mp4(dir, 'zero-frames.mp4', ['-movflags', '+faststart']);
  for (const table of ['stts', 'stss', 'stsc', 'stco']) bytes.writeUInt32BE(0, boxAt(bytes, table) + 8);
  bytes.writeUInt32BE(0, boxAt(bytes, 'stsz') + 12); // after version/flags and the common sample size
  return bytes;
}

/** A MOV of uncompressed video whose sample description claims width×height pixels. */
async function movDeclaring(dir: string, width: number, height: number): Promise<Buffer> {
  const bytes = await ffmpeg(dir, 'raw.mov', [
    ...pattern('16x16', 5),
    '-t',
    '1',
    '-c:v',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
  ]);
  // The "raw " sample entry: size, type, 6 reserved, data ref, version, revision, vendor, 2 qualities,
  // then width and height (16 bits each).
  const entry = boxAt(bytes, 'raw ') - 4;
  bytes.writeUInt16BE(width, entry + 32);
  bytes.writeUInt16BE(height, entry + 34);
  return bytes;
}

/** An ISO-BMFF `ftyp` box with `brand`, which is how HEIC, AVIF and MP4 files start. */
function ftyp(brand: string): Buffer {
  const box = Buffer.alloc(24);
  box.writeUInt32BE(24, 0);
  box.write(`ftyp${brand}`, 4, 'latin1');
  box.write(`${brand}mif1`, 16, 'latin1');
  return Buffer.concat([box, Buffer.alloc(200)]);
}

/** A one-entry ZIP archive (stored, no compression) holding `name`. */
function zip(name: string, content: Uint8Array): Buffer {
  const fileName = Buffer.from(name);
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(fileName.length, 28);
  const localSize = local.length + fileName.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12);
  end.writeUInt32LE(localSize, 16);
  return Buffer.concat([local, fileName, content, central, fileName, end]);
}

/** The first bytes of a 64-bit Linux executable (ELF header). */
function elfHeader(): Buffer {
  const header = Buffer.alloc(512);
  header.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(0x3e, 18); // x86-64
  return header;
}

const half = (bytes: Uint8Array) => bytes.subarray(0, Math.floor(bytes.byteLength / 2));
const html = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n';

export const BAD_INPUT_CORPUS: readonly CorpusCase[] = [
  // --- nothing, or not what it claims to be
  {
    id: 'zero-byte',
    name: 'empty.png',
    build: async () => new Uint8Array(0),
    outcome: refused('EMPTY', /is empty/),
  },
  {
    id: 'text-named-png',
    name: 'notes.png',
    build: async () => text('meeting notes: nothing to see\n'.repeat(50)),
    outcome: refused('UNSUPPORTED_TYPE', /detected: text or unknown data/),
  },
  {
    id: 'html-named-png',
    name: 'page.png',
    build: async () => text(html.repeat(20)),
    outcome: refused('UNSUPPORTED_TYPE', /detected: text or unknown data/),
  },
  {
    id: 'svg-with-script',
    name: 'logo.svg',
    build: async () =>
      text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>',
      ),
    outcome: refused('UNSUPPORTED_TYPE', /not an image or video Visage can use/),
  },
  {
    id: 'pdf',
    name: 'scan.pdf',
    build: async () =>
      text('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
    outcome: refused('UNSUPPORTED_TYPE', /detected: PDF \(application\/pdf\)/),
  },
  {
    id: 'zip',
    name: 'photos.zip',
    build: async () => zip('photo.txt', text('not a photo')),
    outcome: refused('UNSUPPORTED_TYPE', /detected: ZIP \(application\/zip\)/),
  },
  {
    id: 'elf-executable',
    name: 'photo.jpg',
    build: async () => elfHeader(),
    outcome: refused('UNSUPPORTED_TYPE', /detected: ELF/),
  },
  {
    id: 'windows-executable',
    name: 'photo.png.exe',
    build: async () => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510)]),
    outcome: refused('UNSUPPORTED_TYPE', /detected: EXE/),
  },
  {
    id: 'heic-signature',
    name: 'IMG_0001.HEIC',
    build: async () => ftyp('heic'),
    outcome: refused('UNSUPPORTED_TYPE', /detected: HEIC \(image\/heic\)/),
  },
  {
    id: 'tiff',
    name: 'scan.tiff',
    build: async () => still(32, 32).tiff().toBuffer(),
    outcome: refused('UNSUPPORTED_TYPE', /detected: TIF \(image\/tiff\)/),
  },
  {
    id: 'bmp',
    name: 'paint.bmp',
    build: async (dir) => ffmpeg(dir, 'paint.bmp', [...pattern('32x32'), '-frames:v', '1', '-c:v', 'bmp']),
    outcome: refused('UNSUPPORTED_TYPE', /detected: BMP \(image\/bmp\)/),
  },
  {
    id: 'animated-gif',
    name: 'party.gif',
    build: async () =>
      sharp([await still(32, 32).png().toBuffer(), await still(32, 32, 4).png().toBuffer()], {
        join: { animated: true },
      })
        .gif()
        .toBuffer(),
    outcome: refused('UNSUPPORTED_TYPE', /detected: GIF \(image\/gif\)/),
  },
  {
    id: 'animated-webp',
    name: 'sticker.webp',
    build: async () =>
      sharp([await still(32, 32).png().toBuffer(), await still(32, 32, 4).png().toBuffer()], {
        join: { animated: true },
      })
        .webp()
        .toBuffer(),
    outcome: refused('UNSUPPORTED_TYPE', /is an animated WebP image \(2 frames\); Visage takes still images/),
  },
  {
    id: 'audio-only-mp3',
    name: 'song.mp3',
    build: async (dir) =>
      ffmpeg(dir, 'song.mp3', ['-f', 'lavfi', '-i', 'sine', '-t', '1', '-c:a', 'libmp3lame']),
    outcome: refused('UNSUPPORTED_TYPE', /detected: MP3 \(audio\/mpeg\)/),
  },

  // --- broken images
  {
    id: 'truncated-png',
    name: 'cut.png',
    build: async () => half(await noiseImageBytes(200, 200)),
    outcome: refused('CORRUPT', /is a corrupt or truncated PNG image/),
  },
  {
    id: 'png-bad-crc',
    name: 'bad-crc.png',
    build: async () => {
      const png = Buffer.from(await noiseImageBytes(64, 64));
      const idat = png.indexOf('IDAT', 0, 'latin1');
      png[idat + 40] = (png[idat + 40] ?? 0) ^ 0xff; // a byte of the compressed data; its CRC now lies
      return png;
    },
    outcome: refused('CORRUPT', /is a corrupt or truncated PNG image/),
  },
  {
    id: 'truncated-jpeg',
    name: 'cut.jpg',
    build: async () =>
      half(
        await sharp(await noiseImageBytes(200, 200))
          .jpeg()
          .toBuffer(),
      ),
    outcome: refused('CORRUPT', /is a corrupt or truncated JPEG image/),
  },
  {
    id: 'jpeg-soi-only',
    name: 'start.jpg',
    build: async () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0')]),
    outcome: refused('CORRUPT', /is a corrupt or truncated JPEG image/),
  },
  {
    id: 'png-decompression-bomb',
    name: 'bomb.png',
    build: () => pngDeclaring(50_000, 50_000),
    outcome: refused(
      'TOO_LARGE',
      /is 50000×50000 pixels \(2500 megapixels\); images may be at most 268 megapixels/,
    ),
  },
  {
    id: 'jpeg-huge-dimensions',
    name: 'huge.jpg',
    build: () => jpegDeclaring(65_000, 65_000),
    outcome: refused('TOO_LARGE', /is 65000×65000 pixels/),
  },

  // --- images that must be accepted, with the right facts
  {
    id: 'cmyk-jpeg',
    name: 'print.jpg',
    build: () => still(120, 80).toColourspace('cmyk').jpeg().toBuffer(),
    outcome: accepted({ mime: 'image/jpeg', width: 120, height: 80 }),
  },
  {
    id: 'png-16-bit',
    name: 'deep.png',
    build: () => still(90, 60).toColourspace('rgb16').png().toBuffer(),
    outcome: accepted({ mime: 'image/png', width: 90, height: 60 }),
  },
  {
    id: 'png-alpha',
    name: 'cut-out.png',
    build: () => still(70, 50, 4).png().toBuffer(),
    outcome: accepted({ mime: 'image/png', width: 70, height: 50 }),
  },
  {
    id: 'exif-rotated-jpeg',
    name: 'phone.jpg',
    build: async () =>
      sharp(await halves())
        .withMetadata({ orientation: 6 })
        .toBuffer(),
    outcome: accepted({ mime: 'image/jpeg', width: 100, height: 400 }),
  },
  {
    id: 'polyglot-png-html-zip',
    name: 'innocent.png',
    build: async () =>
      Buffer.concat([await still(40, 30).png().toBuffer(), text(html), zip('a.html', text(html))]),
    outcome: accepted({ mime: 'image/png', width: 40, height: 30 }),
  },

  // --- broken or odd videos
  {
    id: 'truncated-mp4',
    name: 'cut.mp4',
    build: async (dir) => half(await mp4(dir, 'whole.mp4')),
    outcome: refused('CORRUPT', /is a corrupt or truncated MP4 video: .*moov atom not found/),
  },
  {
    id: 'truncated-mp4-faststart',
    name: 'cut-faststart.mp4',
    build: async (dir) => half(await mp4(dir, 'faststart.mp4', ['-movflags', '+faststart'])),
    outcome: refused('CORRUPT', /is a corrupt or truncated MP4 video/),
  },
  {
    id: 'mp4-broken-moov',
    name: 'broken-moov.mp4',
    build: async (dir) => {
      const bytes = await mp4(dir, 'moov.mp4', ['-movflags', '+faststart']);
      const moov = boxAt(bytes, 'moov');
      bytes.fill(0xee, moov + 8, moov + 200); // mvhd and the start of the track, overwritten
      return bytes;
    },
    outcome: refused(
      'CORRUPT',
      /is a corrupt or truncated MP4 video: no video or audio stream could be read/,
    ),
  },
  {
    id: 'mp4-audio-only',
    name: 'voice.mp4',
    build: async (dir) => {
      const out = path.join(dir, 'voice.mp4');
      await writeVideo(out, { container: 'mp4', video: false, seconds: 1 });
      return readFile(out);
    },
    outcome: refused('CORRUPT', /^"voice\.mp4" has no video stream\.$/),
  },
  {
    id: 'mp4-zero-frames',
    name: 'no-frames.mp4',
    build: zeroFrameMp4,
    outcome: refused('CORRUPT', /is a corrupt or truncated MP4 video: its video stream has no frames/),
  },
  {
    id: 'mov-huge-dimensions',
    name: 'huge.mov',
    // ffmpeg itself refuses frames over ≈16000² (av_image_check_size): this lie stays under that.
    build: (dir) => movDeclaring(dir, 16_000, 16_000),
    outcome: refused(
      'TOO_LARGE',
      /is 16000×16000 pixels \(256 megapixels\); videos may be at most 67 megapixels/,
    ),
  },
  {
    id: 'video-1x1',
    name: 'dot.mp4',
    build: (dir) =>
      ffmpeg(dir, 'dot.mp4', [
        ...pattern('16x16'),
        '-t',
        '1',
        '-vf',
        'scale=1:1',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv444p',
      ]),
    outcome: accepted({ mime: 'video/mp4', width: 1, height: 1 }),
  },
  {
    id: 'video-one-frame',
    name: 'blink.mp4',
    build: (dir) => ffmpeg(dir, 'blink.mp4', [...pattern(), '-frames:v', '1', ...h264]),
    outcome: accepted({ mime: 'video/mp4', width: 160, height: 120, durationMs: 100 }),
  },
  {
    id: 'webm-vp9',
    name: 'clip.webm',
    build: async (dir) => {
      const out = path.join(dir, 'clip.webm');
      await writeVideo(out, { container: 'webm', seconds: 0.5, width: 96, height: 64, audio: false });
      return readFile(out);
    },
    outcome: accepted({ mime: 'video/webm', codec: 'vp9', width: 96, height: 64 }),
  },

  // --- too large
  {
    id: 'image-cut-off-at-limit',
    name: 'big.png',
    declaredBytes: null, // streamed: only counting while reading finds it too large
    build: () => noiseImageBytes(800, 800), // ≈1.7 MB of noise, over the 1 MB image limit
    outcome: refused('TOO_LARGE', /is more than 1 MB; images may be at most 1 MB/),
  },
  {
    id: 'declared-size-over-limit',
    name: 'declared.png',
    declaredBytes: 3 * 1024 ** 2,
    build: () => still(8, 8).png().toBuffer(),
    outcome: refused('TOO_LARGE', /is 3 MB; images may be at most 1 MB/),
  },
];
