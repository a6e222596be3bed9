// start()/run(): the one spawner. Fake tools (shell scripts named by FFMPEG_PATH / FFPROBE_PATH) play
// the failures that a real ffmpeg produces only rarely; the streaming tests use the real ffmpeg.

import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { FfmpegError, ffmpegPath, ffprobePath, run, start, succeeded } from '../src/index.ts';
import { ffmpegChildren } from '../src/testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'visage-ffmpeg-process-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

/** An executable shell script standing in for ffmpeg or ffprobe. */
function fakeTool(name: string, body: string, mode = 0o755): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

/** The FfmpegError a promise rejects with (fails the test when it resolves or throws something else). */
async function ffmpegError(promise: Promise<unknown>): Promise<FfmpegError> {
  const error = await promise.then(
    () => expect.unreachable('expected an FfmpegError'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FfmpegError);
  return error as FfmpegError;
}

describe('which binary', () => {
  it('runs FFMPEG_PATH / FFPROBE_PATH when set (and not empty), else the name on PATH', async () => {
    vi.stubEnv('FFMPEG_PATH', '');
    vi.stubEnv('FFPROBE_PATH', '');
    expect([ffmpegPath(), ffprobePath()]).toEqual(['ffmpeg', 'ffprobe']);
    vi.stubEnv('FFMPEG_PATH', fakeTool('my-ffmpeg', 'printf "ffmpeg $*"'));
    vi.stubEnv('FFPROBE_PATH', fakeTool('my-ffprobe', 'printf "ffprobe $*"'));
    expect((await run('ffmpeg', ['-a', 'b'], 'test')).toString()).toBe('ffmpeg -a b');
    expect((await run('ffprobe', ['-c'], 'test')).toString()).toBe('ffprobe -c');
  });
});

describe(run.name, () => {
  it('returns stdout of a successful run, as bytes', async () => {
    vi.stubEnv('FFMPEG_PATH', fakeTool('bytes', "printf '\\000\\377'"));
    expect([...(await run('ffmpeg', [], 'test'))]).toEqual([0, 255]);
  });

  it('fails with the tool, its exit code and its last three stderr lines, addresses removed', async () => {
    const lines = ['one', 'two', '[mov,mp4 @ 0x5567abcd] moov atom not found', 'four'];
    vi.stubEnv('FFPROBE_PATH', fakeTool('fails', `printf '${lines.join('\\n')}\\n' >&2; exit 3`));
    const error = await ffmpegError(run('ffprobe', [], 'Cannot read video "a.mp4"'));
    expect(error).toMatchObject({
      tool: 'ffprobe',
      reason: 'exited',
      exitCode: 3,
      signal: null,
      purpose: 'Cannot read video "a.mp4"',
      detail: 'two; [mov,mp4] moov atom not found; four',
      message:
        'Cannot read video "a.mp4": two; [mov,mp4] moov atom not found; four (ffprobe exited with code 3)',
    });
    expect(error.stderr).toContain('one\n');
  });

  it('says how the tool ended when it printed nothing', async () => {
    vi.stubEnv('FFMPEG_PATH', fakeTool('silent', 'exit 2'));
    const exited = await ffmpegError(run('ffmpeg', [], 'test'));
    expect(exited).toMatchObject({ exitCode: 2, message: 'test: ffmpeg exited with code 2' });
    vi.stubEnv('FFMPEG_PATH', fakeTool('killed', 'kill -9 $$'));
    const killed = await ffmpegError(run('ffmpeg', [], 'test'));
    expect(killed).toMatchObject({ reason: 'exited', exitCode: null, signal: 'SIGKILL' });
    expect(killed.message).toBe('test: ffmpeg was killed by SIGKILL');
  });

  it('kills a tool that runs too long', async () => {
    vi.stubEnv('FFMPEG_PATH', fakeTool('hangs', 'exec sleep 10'));
    const started = performance.now();
    const error = await ffmpegError(run('ffmpeg', [], 'test', { timeoutMs: 100 }));
    expect(error).toMatchObject({ reason: 'timed-out', message: 'test: ffmpeg took longer than 100 ms' });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('kills a tool that prints too much', async () => {
    vi.stubEnv('FFMPEG_PATH', fakeTool('chatty', 'exec head -c 100000 /dev/zero'));
    const error = await ffmpegError(run('ffmpeg', [], 'test', { maxStdoutBytes: 10 }));
    expect(error).toMatchObject({
      reason: 'too-much-output',
      message: 'test: ffmpeg printed more than 10 bytes',
    });
  });

  it('says plainly when ffmpeg is not installed, or FFMPEG_PATH / FFPROBE_PATH points nowhere', async () => {
    vi.stubEnv('FFPROBE_PATH', join(dir, 'no-such-ffprobe'));
    const nowhere = await ffmpegError(run('ffprobe', [], 'Cannot read video "a.mp4"'));
    expect(nowhere).toMatchObject({ tool: 'ffprobe', reason: 'not-installed', exitCode: null });
    expect(nowhere.message).toBe(
      `Cannot read video "a.mp4": FFPROBE_PATH points nowhere: nothing runnable at "${join(dir, 'no-such-ffprobe')}" (fix it, or unset it to use the ffprobe on PATH)`,
    );
    expect(nowhere.cause).toMatchObject({ code: 'ENOENT' });

    vi.stubEnv('FFMPEG_PATH', '');
    vi.stubEnv('PATH', dir); // no ffmpeg in it
    const missing = await ffmpegError(run('ffmpeg', [], 'test'));
    expect(missing).toMatchObject({ reason: 'not-installed' });
    expect(missing.message).toBe(
      'test: ffmpeg is not installed: no "ffmpeg" on PATH (install it, or set FFMPEG_PATH to its binary)',
    );
  });

  it('tells a binary that cannot be started from a missing one', async () => {
    vi.stubEnv('FFMPEG_PATH', fakeTool('not-executable', 'exit 0', 0o644));
    const error = await ffmpegError(run('ffmpeg', [], 'test'));
    expect(error.reason).toBe('cannot-start');
    expect(error.message).toMatch(/^test: could not run .*not-executable: .*EACCES/);
  });
});

describe(start.name, () => {
  // Endless 64×64 frames on stdout: only stopping it ends it.
  const endless = [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=64x64:rate=25',
    '-f',
    'rawvideo',
    'pipe:1',
  ];

  it('streams stdin through to stdout', async () => {
    vi.stubEnv('FFMPEG_PATH', fakeTool('cat', 'exec cat'));
    const cat = start('ffmpeg', [], { stdin: 'pipe' });
    cat.stdin?.end('frames in, frames out');
    const output = cat.result('test');
    expect((await output).toString()).toBe('frames in, frames out');
    expect(succeeded(await cat.exited)).toBe(true);
  });

  it('stop() kills ffmpeg and waits until it is reaped', async () => {
    const ffmpeg = start('ffmpeg', endless);
    await once(ffmpeg.stdout as Readable, 'readable'); // it is running
    expect(ffmpegChildren()).toHaveLength(1); // the check can see a running ffmpeg…
    await ffmpeg.stop();
    await ffmpeg.stop();
    expect(await ffmpeg.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(ffmpegChildren()).toEqual([]); // …and none is left, not even a zombie
  });

  it('an AbortSignal kills it; result() then rejects with the reason', async () => {
    const controller = new AbortController();
    const ffmpeg = start('ffmpeg', endless, { stdout: 'ignore', signal: controller.signal });
    const result = ffmpeg.result('test');
    controller.abort(new Error('user cancelled'));
    await expect(result).rejects.toThrow('user cancelled');
    expect(ffmpegChildren()).toEqual([]);
    expect(() => start('ffmpeg', endless, { signal: AbortSignal.abort() })).toThrow(
      expect.objectContaining({ name: 'AbortError' }),
    );
  });

  it('failure() describes how a streaming run ended', async () => {
    const ffmpeg = start('ffmpeg', ['-v', 'error', '-i', join(dir, 'missing.mp4'), '-f', 'null', '-']);
    const exit = await ffmpeg.exited;
    expect(succeeded(exit)).toBe(false);
    const error = ffmpeg.failure('Cannot decode "missing.mp4"', exit);
    expect(error).toMatchObject({ tool: 'ffmpeg', reason: 'exited' });
    expect(error.exitCode).toBeGreaterThan(0);
    expect(error.message).toMatch(/^Cannot decode "missing\.mp4": .*No such file or directory/);
  });
});
