// The names the gallery and the zip route give downloaded files, and the clock shown on video cards.
import { describe, expect, it } from 'vitest';
import { downloadName } from '../src/lib/bulk.ts';
import { formatClock } from '../src/lib/format.ts';

describe('downloadName', () => {
  const createdAt = new Date('2026-11-30T19:15:02.123Z');

  it('should say what made the file, when, and end with the random part of its id', () => {
    const id = '019ad6a4-1c3b-7e51-9f2a-3b4c5d6e7f80';
    expect(downloadName({ id, mime: 'image/png', createdAt, plugin: 'faceswap' })).toBe(
      'faceswap-20261130-191502-5d6e7f80.png',
    );
    expect(downloadName({ id, mime: 'video/mp4', createdAt, plugin: null })).toBe(
      'upload-20261130-191502-5d6e7f80.mp4',
    );
    expect(downloadName({ id, mime: 'application/x-thing', createdAt, plugin: 'test' })).toMatch(/\.bin$/);
  });
});

describe('formatClock', () => {
  it('should read like a player: m:ss, then h:mm:ss', () => {
    expect(formatClock(7_400)).toBe('0:07');
    expect(formatClock(754_000)).toBe('12:34');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });
});
