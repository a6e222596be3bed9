// Helpers shared by the video tests.
import { execFileSync } from 'node:child_process';

export { ffmpegChildren } from '../../src/video/children.ts';

/** A copy of `source` tagged as rotated 90° (what phones write), without re-encoding. */
export function writeRotated(source: string, out: string): void {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    source,
    '-c',
    'copy',
    '-metadata:s:v',
    'rotate=90',
    out,
  ]);
}
