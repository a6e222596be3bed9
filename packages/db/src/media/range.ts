// HTTP Range requests for media playback (RFC 9110 §14): one byte range per response.

export interface ByteRange {
  /** Inclusive, as in Content-Range. */
  start: number;
  end: number;
}

const RANGE_SPEC = /^(\d*)-(\d*)$/;

/**
 * What to send for a `Range` header on a file of `size` bytes: `null` for the whole file (no header,
 * another unit, or a malformed one, which RFC 9110 says to ignore), a range, or 'unsatisfiable' (416).
 * Of several ranges only the first is served: players ask for one, and a 206 with one part is valid.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const equals = header.indexOf('=');
  if (equals < 0 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return null;
  // Empty list elements (", ,") are allowed by the list syntax and skipped.
  const first = header
    .slice(equals + 1)
    .split(',')
    .map((part) => part.trim())
    .find(Boolean);
  const match = first === undefined ? null : RANGE_SPEC.exec(first);
  if (!match) return null;
  const [, from = '', to = ''] = match;

  if (from === '') {
    if (to === '') return null; // "bytes=-"
    const suffix = Number(to);
    // A zero-length suffix, or any suffix of an empty file, selects nothing.
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const last = to === '' ? Number.POSITIVE_INFINITY : Number(to); // "bytes=100-": to the end
  if (last < start) return null; // an invalid range-spec: ignore the header
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last, size - 1) };
}
