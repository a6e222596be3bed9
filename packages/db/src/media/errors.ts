// Errors an upload can fail with, worded for the person who uploaded the file. The API layer turns
// `status` into the HTTP status and shows `message` as is.

export type MediaErrorCode =
  | 'TOO_LARGE'
  | 'UNSUPPORTED_TYPE'
  | 'CORRUPT'
  | 'EMPTY'
  | 'NO_SPACE'
  | 'NOT_WRITABLE';

// NO_SPACE and NOT_WRITABLE are the server's problem, not the file's: 507 Insufficient Storage, 503.
const STATUS = {
  TOO_LARGE: 413,
  UNSUPPORTED_TYPE: 415,
  CORRUPT: 422,
  EMPTY: 400,
  NO_SPACE: 507,
  NOT_WRITABLE: 503,
} as const;

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

  static tooManyPixels(
    subject: MediaSubject,
    width: number,
    height: number,
    maxPixels: number,
    kind: 'image' | 'video' = 'image',
  ): MediaError {
    const megapixels = (pixels: number) => Math.round(pixels / 1e6);
    return new MediaError(
      'TOO_LARGE',
      `${describe(subject)} is ${width}×${height} pixels (${megapixels(width * height)} megapixels); ${kind}s may be at most ${megapixels(maxPixels)} megapixels.`,
    );
  }

  /** `audioOnly`: the file holds sound and nothing to see; otherwise not even that could be read. */
  static noVideoStream(subject: MediaSubject, audioOnly = true): MediaError {
    if (audioOnly) return new MediaError('CORRUPT', `${describe(subject)} has no video stream.`);
    return MediaError.corrupt(subject, 'no video or audio stream could be read from it.');
  }

  static animated(subject: MediaSubject, frames: number): MediaError {
    return new MediaError(
      'UNSUPPORTED_TYPE',
      `${describe(subject)} is an animated ${subject.what ?? 'image'} (${frames} frames); Visage takes still images: upload a still image, or the animation as a video (MP4, WebM).`,
    );
  }

  static empty(subject: MediaSubject): MediaError {
    return new MediaError('EMPTY', `${describe(subject)} is empty.`);
  }

  /**
   * The MediaError for a write the media folder refused (full, read-only, no permission), or
   * `error` itself when it is something else (docs/reliability.md §3).
   */
  static fromStorage(error: unknown, root: string, subject: MediaSubject = {}): unknown {
    const code = storageErrno(error);
    if (!code) return error;
    const saving = `${describe(subject)} could not be saved`;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      return new MediaError(
        'NO_SPACE',
        `The media folder is full (${code}): ${saving}. Free some space in ${root} and try again.`,
        { cause: error },
      );
    }
    return new MediaError(
      'NOT_WRITABLE',
      `The media folder ${root} is not writable (${code}): ${saving}. Check that it is mounted read-write and owned by the user Visage runs as.`,
      { cause: error },
    );
  }
}

const STORAGE_ERRNOS = ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM'] as const;
// sharp (libvips) reports a failed write by message only.
const STORAGE_MESSAGES: [RegExp, (typeof STORAGE_ERRNOS)[number]][] = [
  [/no space left on device/i, 'ENOSPC'],
  [/read-only file system/i, 'EROFS'],
  [/permission denied/i, 'EACCES'],
];

/** The errno of a refused write found in `error`, its causes or an AggregateError's first error. */
function storageErrno(error: unknown, depth = 0): (typeof STORAGE_ERRNOS)[number] | undefined {
  if (!(error instanceof Error) || depth > 5) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  const known = STORAGE_ERRNOS.find((c) => c === code);
  if (known) return known;
  const byMessage = STORAGE_MESSAGES.find(([pattern]) => pattern.test(error.message))?.[1];
  if (byMessage) return byMessage;
  const inner = error instanceof AggregateError ? error.errors[0] : error.cause;
  return storageErrno(inner, depth + 1);
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
