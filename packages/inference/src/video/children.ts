// For tests: the ffmpeg processes this process has started and not yet reaped.
import { spawnSync } from 'node:child_process';

/** ffmpeg processes that are children of this test process, zombies included (ps shows them too). */
export function ffmpegChildren(): string[] {
  const ps = spawnSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('ffmpeg'));
}
