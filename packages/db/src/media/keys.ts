// Storage keys: paths relative to the store root, derived from the content hash.
import path from 'node:path';

/** `ab/cd/abcd…ef.png`: two levels of fan-out keep directories small. */
export function storageKeyFor(sha256: string, ext: string): string {
  return `${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}.${ext}`;
}

export function thumbnailKeyFor(sha256: string): string {
  return `thumbs/${sha256}.webp`;
}

/**
 * The absolute path of `key` under `root`. Keys come from our own database, but a bad row must not
 * become a way to read or delete arbitrary files, so anything but a plain relative path is refused.
 */
export function resolveKey(root: string, key: string): string {
  const refuse = (why: string) => new RangeError(`Invalid storage key ${JSON.stringify(key)}: ${why}`);
  if (typeof key !== 'string' || key === '') throw refuse('empty');
  if (key.includes('\0')) throw refuse('contains a NUL character');
  if (path.isAbsolute(key) || path.win32.isAbsolute(key)) throw refuse('absolute');
  if (key.split(/[\\/]/).some((part) => part === '' || part === '.' || part === '..')) {
    throw refuse('empty, "." or ".." segment');
  }
  const base = path.resolve(root);
  const resolved = path.resolve(base, key);
  const relative = path.relative(base, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))
    throw refuse('outside the store');
  return resolved;
}
