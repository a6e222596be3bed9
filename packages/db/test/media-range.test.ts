import { describe, expect, it } from 'vitest';
import { parseRange } from '../src/media/range.ts';

describe(parseRange.name, () => {
  it.each([
    [null, 100, null],
    ['', 100, null],
    ['bytes=0-99', 1000, { start: 0, end: 99 }],
    ['bytes=100-', 1000, { start: 100, end: 999 }],
    ['bytes=-500', 1000, { start: 500, end: 999 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=-500', 100, { start: 0, end: 99 }], // suffix longer than the file: all of it
    ['bytes=0-999999', 100, { start: 0, end: 99 }], // end clamped
    ['bytes=99-99', 100, { start: 99, end: 99 }],
    ['bytes=5000-', 100, 'unsatisfiable'],
    ['bytes=100-200', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-', 0, 'unsatisfiable'],
    ['bytes=-5', 0, 'unsatisfiable'],
    ['Bytes = 0-9', 100, { start: 0, end: 9 }], // unit is case-insensitive
    ['bytes=0-9, 20-29', 100, { start: 0, end: 9 }], // only the first range is served
    ['bytes=, 5-9', 100, { start: 5, end: 9 }], // empty list elements are skipped
    ['items=0-1', 100, null],
    ['bytes=9-0', 100, null], // last < first: invalid, ignore the header
    ['bytes=-', 100, null],
    ['bytes=a-b', 100, null],
    ['bytes=1.5-3', 100, null],
    ['bytes 0-9', 100, null],
    ['bytes=', 100, null],
  ] as const)('%j on %i bytes → %j', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});
