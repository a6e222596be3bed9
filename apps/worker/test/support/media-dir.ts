// A media folder the test can fill up or make read-only (docs/reliability.md §3). As root (this
// machine and CI) it is a small tmpfs: filling it gives real ENOSPC, a read-only remount EROFS. Not
// as root, chmod is the only lever: "read-only" is chmod a-w (EACCES), and "full" falls back to it
// too, with a warning, because ENOSPC cannot be produced without mounting.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const isRoot = process.getuid?.() === 0;

export interface LimitedMediaDir {
  dir: string;
  /** What a refused write is expected to say, for `fill()` and for `readOnly()`. */
  expected: { full: RegExp; readOnly: RegExp };
  /** Leaves about `leaveBytes` free. */
  fill(leaveBytes: number): Promise<void>;
  free(): Promise<void>;
  readOnly(): Promise<void>;
  writable(): Promise<void>;
  remove(): Promise<void>;
}

export async function limitedMediaDir(label: string, sizeMiB = 32): Promise<LimitedMediaDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `visage-${label}-`));
  const filler = path.join(dir, 'filler.bin');
  if (!isRoot) {
    console.warn(
      `${label}: not running as root, so the media folder cannot be a tmpfs: "full" and "read-only" ` +
        'are both simulated with chmod a-w (EACCES); ENOSPC and EROFS are exercised only as root (CI).',
    );
    const unwritable = /The media folder .* is not writable \(EACCES\)/;
    const setMode = (mode: number) => chmodTree(dir, mode);
    return {
      dir,
      expected: { full: unwritable, readOnly: unwritable },
      fill: () => setMode(0o555),
      free: () => setMode(0o755),
      readOnly: () => setMode(0o555),
      writable: () => setMode(0o755),
      remove: async () => {
        await setMode(0o755);
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await exec('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
  return {
    dir,
    expected: {
      full: /^The media folder is full \(ENOSPC\): .* could not be saved\. Free some space in /,
      readOnly: /^The media folder .* is not writable \(EROFS\)/,
    },
    async fill(leaveBytes) {
      const { bavail, bsize } = await statfs(dir);
      await writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
    },
    free: () => rm(filler, { force: true }),
    readOnly: async () => {
      await exec('mount', ['-o', 'remount,ro', dir]);
    },
    writable: async () => {
      await exec('mount', ['-o', 'remount,rw', dir]);
    },
    remove: async () => {
      await exec('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** chmod of `dir` and every folder under it (files need no write bit to be replaced or removed). */
async function chmodTree(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await chmod(dir, mode);
  for (const entry of await readdir(dir, { withFileTypes: true }))
    if (entry.isDirectory()) await chmodTree(path.join(dir, entry.name), mode);
}
