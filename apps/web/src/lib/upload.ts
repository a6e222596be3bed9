// Uploads with progress: fetch() cannot report upload progress, XMLHttpRequest can.
import type { UploadedAsset } from '@visage/api/client';
import type { MediaKind } from './form-fields';

/** What POST /api/upload answers (the same for the web app and the Node client). */
export type { UploadedAsset } from '@visage/api/client';

export interface UploadLimits {
  maxImageBytes: number;
  maxVideoBytes: number;
}

/** What the server accepts (packages/db/src/media/limits.ts); it checks the bytes, we check the type. */
export const ACCEPTED_TYPES: Record<MediaKind, string[]> = {
  image: ['image/png', 'image/jpeg', 'image/webp'],
  video: ['video/mp4', 'video/quicktime', 'video/webm', 'video/x-matroska'],
};

export const TYPE_LABELS: Record<MediaKind, string> = {
  image: 'PNG, JPEG or WebP',
  video: 'MP4, MOV, WebM or MKV',
};

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** Why `file` cannot go into a field that takes `accept`, or null when it may be sent. */
export function checkFile(file: File, accept: readonly MediaKind[], limits: UploadLimits): string | null {
  const kind = accept.find((k) => ACCEPTED_TYPES[k].includes(file.type));
  if (!kind) {
    const wanted = accept.map((k) => TYPE_LABELS[k]).join(' or ');
    return `${file.name} is not a supported file: use ${wanted}.`;
  }
  const limit = kind === 'image' ? limits.maxImageBytes : limits.maxVideoBytes;
  if (file.size > limit) {
    return `${file.name} is ${formatBytes(file.size)}; ${kind}s may be up to ${formatBytes(limit)}.`;
  }
  return null;
}

export class UploadError extends Error {}

/** Sends `file` to /api/upload, reporting progress as a fraction 0–1. */
export function uploadFile(
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<UploadedAsset> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status === 201) {
        onProgress(1);
        resolve(xhr.response as UploadedAsset);
        return;
      }
      const body = xhr.response as { error?: string } | null;
      reject(new UploadError(body?.error ?? `Upload failed (HTTP ${xhr.status})`));
    });
    xhr.addEventListener('error', () =>
      reject(new UploadError('The upload was interrupted: check the connection')),
    );
    xhr.addEventListener('abort', () => reject(new UploadError('Upload cancelled')));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.send(file);
  });
}
