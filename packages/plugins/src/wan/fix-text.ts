// The parts of ftfy 6.3.1's `fix_text` (default settings) and of Python's `html.unescape` that Wan's
// prompt cleaning runs (docs/models/wan.md §3.2 lists what is ported exactly and what is not). ftfy is
// Python, with no maintained JavaScript port; the HTML entity table comes from the `entities` package.
import { decodeHTML, decodeHTMLStrict } from 'entities';

/** ftfy fixes text line by line, in pieces of at most this many code units. */
const MAX_SEGMENT = 1_000_000;

/**
 * Bytes 0x80–0x9F in Windows-1252 as WHATWG decodes them: the five unassigned bytes give C1 controls
 * (ftfy's "sloppy" codec). Written out because Node 20's TextDecoder reads windows-1252 as Latin-1.
 */
const CP1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
/** The 256 characters of Windows-1252; the other bytes are Latin-1. */
const WINDOWS_1252 = Array.from({ length: 256 }, (_, byte) =>
  byte >= 0x80 && byte <= 0x9f ? CP1252_80_9F.charAt(byte - 0x80) : String.fromCharCode(byte),
).join('');
const TO_WINDOWS_1252 = new Map<number, number>();
for (let byte = 0; byte < 256; byte++) {
  // ftfy's sloppy codec reads byte 0x1A as U+FFFD, so a real U+001A cannot be encoded in it.
  if (byte !== 0x1a) TO_WINDOWS_1252.set(WINDOWS_1252.charCodeAt(byte), byte);
}
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** U+3000 and the halfwidth/fullwidth forms U+FF01–U+FFEF become their NFKC forms (ftfy WIDTH_MAP). */
const WIDTH_MAP = new Map<string, string>([['\u3000', ' ']]);
for (let code = 0xff01; code < 0xfff0; code++) {
  const char = String.fromCharCode(code);
  const plain = char.normalize('NFKC');
  if (plain !== char) WIDTH_MAP.set(char, plain);
}

/** Latin ligatures and legacy digraphs ftfy splits (chardata.LIGATURES). */
const LIGATURES: Record<string, string> = {
  Ĳ: 'IJ',
  ĳ: 'ij',
  ŉ: 'ʼn',
  Ǳ: 'DZ',
  ǲ: 'Dz',
  ǳ: 'dz',
  Ǆ: 'DŽ',
  ǅ: 'Dž',
  ǆ: 'dž',
  Ǉ: 'LJ',
  ǈ: 'Lj',
  ǉ: 'lj',
  Ǌ: 'NJ',
  ǋ: 'Nj',
  ǌ: 'nj',
  ﬀ: 'ff',
  ﬁ: 'fi',
  ﬂ: 'fl',
  ﬃ: 'ffi',
  ﬄ: 'ffl',
  ﬅ: 'ſt',
  ﬆ: 'st',
};
const LIGATURE_RE = new RegExp(`[${Object.keys(LIGATURES).join('')}]`, 'g');
const WIDTH_RE = /[\u3000\uff01-\uffef]/g;
const SINGLE_QUOTE_RE = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTE_RE = /[\u201c-\u201f]/g;
const LINE_BREAK_RE = /\r\n|[\r\u2028\u2029\u0085]/g;
const LONE_SURROGATE_RE = /[\ud800-\udfff]/gu;
// ANSI colour and cursor codes; Python's `\d` is any Unicode decimal digit.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the sequence being removed
const TERMINAL_ESCAPE_RE = /\u001b\[(?:\p{Nd}|;)*[a-zA-Z]/gu;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters being removed
const CONTROL_CHAR_RE = /[\u0000-\u0008\u000b\u000e-\u001f\u007f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;
const C1_RE = /[\u0080-\u009f]/g;
const FTFY_ENTITY_RE = /&#?[0-9A-Za-z]{1,24};/g;
// Python's html module: numeric references, then names of up to 32 characters.
const PY_CHARREF_RE = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g;

/** Python's `html.unescape`: HTML5 named references (entities' table) and its numeric rules. */
export function pythonHtmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(PY_CHARREF_RE, (whole, ref: string) => {
    if (ref[0] !== '#') return decodeHTML(whole);
    const hex = ref[1] === 'x' || ref[1] === 'X';
    const num = Number.parseInt(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
    if (num === 0) return '\ufffd';
    if (num === 0x0d) return '\r';
    if (num >= 0x80 && num <= 0x9f) return WINDOWS_1252.charAt(num);
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return '\ufffd';
    if (isInvalidCodePoint(num)) return '';
    return String.fromCodePoint(num);
  });
}

/** Python's html._invalid_codepoints (C0/C1 controls but tab, LF, FF, CR; noncharacters). */
function isInvalidCodePoint(num: number): boolean {
  return (
    (num >= 0x1 && num <= 0x8) ||
    num === 0xb ||
    (num >= 0xe && num <= 0x1f) ||
    (num >= 0x7f && num <= 0x9f) ||
    (num >= 0xfdd0 && num <= 0xfdef) ||
    (num & 0xfffe) === 0xfffe
  );
}

/** ftfy's unescape_html: `&name;` (also an all-capitals name of a lower-case entity) and `&#…;`. */
function ftfyUnescapeHtml(text: string): string {
  return text.replace(FTFY_ENTITY_RE, (ref) => {
    if (ref[1] === '#') {
      const decoded = pythonHtmlUnescape(ref);
      return decoded.includes(';') ? ref : decoded;
    }
    const decoded = decodeHTMLStrict(ref);
    if (decoded !== ref) return decoded;
    const lower = ref.toLowerCase();
    if (ref === ref.toUpperCase() && lower !== ref && decodeHTML(ref) === ref) {
      const decodedLower = decodeHTMLStrict(lower);
      if (decodedLower !== lower) return decodedLower.toUpperCase();
    }
    return ref;
  });
}

/** Bytes of `text` in Latin-1 or sloppy Windows-1252, or null when a character has no byte there. */
function encodeSingleByte(text: string, charset: 'latin-1' | 'windows-1252'): Uint8Array | null {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const byte = charset === 'latin-1' ? (code <= 0xff ? code : undefined) : TO_WINDOWS_1252.get(code);
    if (byte === undefined) return null;
    bytes[i] = byte;
  }
  return bytes;
}

/**
 * Mojibake of UTF-8 read as Latin-1 or Windows-1252 ("cafÃ©" → "café"), repeated while it applies (double
 * mojibake). Only whole segments: the segment must go back to bytes and those bytes must be valid UTF-8.
 */
function fixEncoding(text: string): string {
  let current = text;
  for (;;) {
    const fixed = fixEncodingOnce(current);
    if (fixed === current) return current;
    current = fixed;
  }
}

function fixEncodingOnce(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII range check
  if (/^[\u0000-\u007f]*$/.test(text)) return text;
  for (const charset of ['latin-1', 'windows-1252'] as const) {
    const bytes = encodeSingleByte(text, charset);
    if (!bytes) continue;
    try {
      return UTF8.decode(bytes);
    } catch {
      // Not UTF-8 in this charset; try the next.
    }
  }
  return text;
}

/** One segment through ftfy's fixers, in ftfy's order, until nothing changes. */
function fixSegment(segment: string, unescapeHtml: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescapeHtml) text = ftfyUnescapeHtml(text);
    text = fixEncoding(text);
    text = text.replace(C1_RE, (c) => WINDOWS_1252.charAt(c.charCodeAt(0)));
    text = text.replace(LIGATURE_RE, (c) => LIGATURES[c] ?? c);
    text = text.replace(WIDTH_RE, (c) => WIDTH_MAP.get(c) ?? c);
    text = text.replace(SINGLE_QUOTE_RE, "'").replace(DOUBLE_QUOTE_RE, '"');
    text = text.replace(LINE_BREAK_RE, '\n');
    text = text.replace(LONE_SURROGATE_RE, '\ufffd');
    text = text.replace(TERMINAL_ESCAPE_RE, '');
    text = text.replace(CONTROL_CHAR_RE, '');
    text = text.normalize('NFC');
    if (text === before) return text;
  }
}

/**
 * ftfy.fix_text with its default settings, for the fixes listed in docs/models/wan.md §3.2: line by line;
 * HTML entities are decoded only until a line containing "<" is met (ftfy's "auto" rule, which then stays
 * off for the lines after it).
 */
export function fixText(text: string): string {
  const out: string[] = [];
  let unescapeHtml = true;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos) + 1;
    if (end === 0) end = text.length;
    if (end - pos > MAX_SEGMENT) end = pos + MAX_SEGMENT;
    const segment = text.slice(pos, end);
    if (segment.includes('<')) unescapeHtml = false;
    out.push(fixSegment(segment, unescapeHtml));
    pos = end;
  }
  return out.join('');
}
