// Helpers shared by the video tests.
import { execFileSync, spawnSync } from 'node:child_process';

/** ffmpeg processes that are children of this test process, zombies included (ps shows them too). */
export function ffmpegChildren(): string[] {
  const ps = spawnSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('ffmpeg'));
}

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
