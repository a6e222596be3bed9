// Errors an upload can fail with, worded for the person who uploaded the file. The API layer turns
// `status` into the HTTP status and shows `message` as is.

export type MediaErrorCode = 'TOO_LARGE' | 'UNSUPPORTED_TYPE' | 'CORRUPT' | 'EMPTY';

const STATUS = { TOO_LARGE: 413, UNSUPPORTED_TYPE: 415, CORRUPT: 422, EMPTY: 400 } as const;

export type MediaErrorStatus = (typeof STATUS)[MediaErrorCode];

/** What a message says about the file: its name when known, and what it was taken for ("PNG image"). */
export interface MediaSubject {
  name?: string | undefined;
  what?: string | undefined;
}

export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly status: MediaErrorStatus;

  constructor(
    readonly code: MediaErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.status = STATUS[code];
  }

  /** `bytes` is the file's size when known; a stream cut off at the limit only tells us it was bigger. */
  static tooLarge(subject: MediaSubject, kind: 'image' | 'video', limit: number, bytes?: number): MediaError {
    const size = bytes === undefined ? `more than ${formatBytes(limit)}` : formatBytes(bytes);
    return new MediaError(
      'TOO_LARGE',
      `${describe(subject)} is ${size}; ${kind}s may be at most ${formatBytes(limit)}.`,
    );
  }

  static unsupported(subject: MediaSubject, detected: string, supported: string): MediaError {
    return new MediaError(
      'UNSUPPORTED_TYPE',
      `${describe(subject)} is not an image or video Visage can use (detected: ${detected}). Supported: ${supported}.`,
    );
  }

  static corrupt(subject: MediaSubject, detail: string, cause?: unknown): MediaError {
    return new MediaError(
      'CORRUPT',
      `${describe(subject)} is a corrupt or truncated ${subject.what ?? 'file'}: ${detail}`,
      { cause },
    );
  }

  static tooManyPixels(subject: MediaSubject, width: number, height: number, maxPixels: number): MediaError {
    const megapixels = (pixels: number) => Math.round(pixels / 1e6);
    return new MediaError(
      'TOO_LARGE',
      `${describe(subject)} is ${width}×${height} pixels (${megapixels(width * height)} megapixels); images may be at most ${megapixels(maxPixels)} megapixels.`,
    );
  }

  static noVideoStream(subject: MediaSubject): MediaError {
    return new MediaError('CORRUPT', `${describe(subject)} has no video stream.`);
  }

  static empty(subject: MediaSubject): MediaError {
    return new MediaError('EMPTY', `${describe(subject)} is empty.`);
  }
}

/** `"photo.png"`, or `File` when the name is unknown; control characters and very long names are tamed. */
function describe({ name }: MediaSubject): string {
  if (!name) return 'File';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = name.replace(/[\u0000-\u001f\u007f]/g, '');
  return JSON.stringify(clean.length > 80 ? `${clean.slice(0, 77)}...` : clean);
}

/** 1024-based, as file managers show sizes: 64_172_851 → "61.2 MB". */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = unit === 0 ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${rounded} ${units[unit]}`;
}
