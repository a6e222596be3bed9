// Decides what a file is from its first bytes (never from its name).
import { fileTypeFromBuffer } from 'file-type';
import { MediaError, type MediaSubject } from './errors.ts';
import { SUPPORTED_LABELS, type SupportedType, supportedType } from './limits.ts';

/** file-type's detectors look at no more than this many leading bytes. */
export const SNIFF_BYTES = 4100;

/** The supported type of `head` (a file's first SNIFF_BYTES, or all of it); UNSUPPORTED_TYPE otherwise. */
export async function sniffType(head: Uint8Array, subject: MediaSubject = {}): Promise<SupportedType> {
  const detected = await fileTypeFromBuffer(head);
  const type = detected && supportedType(detected.mime);
  if (type) return type;
  const what = detected ? `${detected.ext.toUpperCase()} (${detected.mime})` : 'text or unknown data';
  throw MediaError.unsupported(subject, what, SUPPORTED_LABELS);
}
