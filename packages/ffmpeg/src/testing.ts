// @visage/ffmpeg/testing: helpers for tests and benchmarks, not for production code.
import { spawnSync } from 'node:child_process';

export {
  type ColourPatternOptions,
  makeColourPattern,
  makePhotoMotion,
  makeTestPattern,
  type PatternOptions,
  type PhotoMotionOptions,
  writeRotated,
} from './synthetic.ts';

/** ffmpeg processes that are children of this test process, zombies included (ps shows them too). */
export function ffmpegChildren(): string[] {
  const ps = spawnSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('ffmpeg'));
}
