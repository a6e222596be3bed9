// The file name an uploader gives is only ever shown back (asset lists, messages, downloads); the
// stored file is named by its hash. It is still cleaned before it is kept: a name is whatever the
// client sent, and PostgreSQL refuses a NUL in text, a download header a newline.

/** Names are kept to this many characters (the extension included), like most filesystems' 255. */
export const MAX_NAME_CHARS = 200;

// C0 and C1 control characters (NUL, newline, escape…) and the bidirectional overrides that make
// "photo<U+202E>gnp.exe" display as "photoexe.png".
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const UNWANTED = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// Half an emoji (in "u" mode a whole pair is one code point, so only halves match): not valid UTF-8.
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * A file name fit to keep: its last path segment (clients may send "C:\photos\me.jpg" or
 * "../../etc/passwd"), without control or direction characters, in Unicode NFC, at most
 * MAX_NAME_CHARS characters with its extension kept. Undefined when nothing is left.
 */
export function cleanFileName(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const segment = raw.split(/[\\/]/).at(-1) ?? '';
  const name = segment.replace(LONE_SURROGATE, '').replace(UNWANTED, '').normalize('NFC').trim();
  if (name === '' || name === '.' || name === '..') return undefined;
  const chars = Array.from(name); // code points, so a cut never splits an emoji's surrogate pair
  if (chars.length <= MAX_NAME_CHARS) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && name.length - dot <= 16 ? Array.from(name.slice(dot)) : [];
  return `${chars.slice(0, MAX_NAME_CHARS - ext.length - 1).join('')}…${ext.join('')}`;
}
