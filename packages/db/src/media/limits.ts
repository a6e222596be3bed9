// What the store accepts: byte limits per kind and the MIME types it can probe and preview.

export type MediaKind = 'image' | 'video';

export interface MediaLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  maxImageBytes: 50 * 1024 ** 2,
  maxVideoBytes: 2 * 1024 ** 3,
};

export function limitFor(kind: MediaKind, limits: MediaLimits): number {
  return kind === 'image' ? limits.maxImageBytes : limits.maxVideoBytes;
}

export interface SupportedType {
  mime: string;
  /** Extension the file is stored under (never taken from the uploaded name). */
  ext: string;
  kind: MediaKind;
  /** Shown to users, e.g. in "Supported: PNG, JPEG, …". */
  label: string;
}

export const SUPPORTED_TYPES: readonly SupportedType[] = [
  { mime: 'image/png', ext: 'png', kind: 'image', label: 'PNG' },
  { mime: 'image/jpeg', ext: 'jpg', kind: 'image', label: 'JPEG' },
  { mime: 'image/webp', ext: 'webp', kind: 'image', label: 'WebP' },
  { mime: 'video/mp4', ext: 'mp4', kind: 'video', label: 'MP4' },
  { mime: 'video/quicktime', ext: 'mov', kind: 'video', label: 'MOV' },
  { mime: 'video/webm', ext: 'webm', kind: 'video', label: 'WebM' },
  { mime: 'video/x-matroska', ext: 'mkv', kind: 'video', label: 'MKV' },
];

// file-type 21 reports Matroska as video/matroska; browsers and most servers use video/x-matroska.
const ALIASES: Record<string, string> = { 'video/matroska': 'video/x-matroska' };

export function supportedType(mime: string): SupportedType | undefined {
  const canonical = ALIASES[mime] ?? mime;
  return SUPPORTED_TYPES.find((type) => type.mime === canonical);
}

export const SUPPORTED_LABELS = SUPPORTED_TYPES.map((type) => type.label).join(', ');
