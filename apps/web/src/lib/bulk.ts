// Limits of the gallery's bulk actions, shared by the page (to say so before asking) and the zip
// route (to refuse). MAX_BULK_FILES matches MAX_BULK_ASSETS of @visage/api's assets.deleteMany.
export const MAX_BULK_FILES = 200;
export const MAX_ZIP_BYTES = 4 * 1024 ** 3;

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'video/quicktime': 'mov',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
};

/** `faceswap-20261130-191502-1a2b3c4d.png`: what made it, when, and enough of its id to tell apart. */
export function downloadName(asset: { id: string; mime: string; createdAt: Date; plugin: string | null }) {
  const stamp = asset.createdAt
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  // uuid v7 starts with the time, so its end is the part that differs between assets.
  const short = asset.id.replaceAll('-', '').slice(-8);
  return `${asset.plugin ?? 'upload'}-${stamp}-${short}.${EXTENSIONS[asset.mime] ?? 'bin'}`;
}
