// The only place that spawns ffmpeg or ffprobe: without a shell, stderr's tail kept for messages, killed
// with SIGKILL when no longer wanted (ffmpeg treats SIGTERM as "finish up", which it cannot do while
// blocked on a pipe nobody reads) and always waited for, so no zombie is left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { FfmpegError, startFailure, usefulLines } from './errors.ts';
import { type FfmpegTool, toolPath } from './tools.ts';

/** How a process ended. Never a rejection: an unobserved failure must not crash the process. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (ENOENT, EACCES…). */
  error?: NodeJS.ErrnoException;
}

export const succeeded = (exit: Exit): boolean => exit.code === 0 && !exit.error;

export interface StartOptions {
  /** Pipe stdin (frames into an encoder); default: ignored. */
  stdin?: 'pipe' | 'ignore';
  /** Pipe stdout (frames out of a decoder, JSON out of ffprobe); default: piped. */
  stdout?: 'pipe' | 'ignore';
  /** Kills the process when aborted. */
  signal?: AbortSignal;
}

export interface ResultOptions {
  /** Kill it when it runs longer than this (a hung driver, a file that makes the demuxer spin). */
  timeoutMs?: number;
  /** Kill it when it prints more than this on stdout, which is read into memory. */
  maxStdoutBytes?: number;
}

export interface RunOptions extends ResultOptions {
  /** Kills the process when aborted; the run then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A running ffmpeg or ffprobe. */
export interface FfmpegProcess {
  readonly tool: FfmpegTool;
  /** What was spawned: FFMPEG_PATH / FFPROBE_PATH or the tool's name. */
  readonly command: string;
  readonly child: ChildProcess;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  /** Resolves once the process has ended and been reaped. */
  readonly exited: Promise<Exit>;
  /** The last 8 KiB of stderr so far. */
  stderr(): string;
  /** The FfmpegError that says why it ended as it did (call when !succeeded(exit)). */
  failure(purpose: string, exit: Exit): FfmpegError;
  /** Kills it if it is still running and waits until it is reaped. */
  stop(): Promise<void>;
  /**
   * Waits for it to end; throws an FfmpegError unless it exited with 0, else returns what it printed on
   * stdout (empty when stdout is not piped). Call before reading stdout any other way.
   */
  result(purpose: string, options?: ResultOptions): Promise<Buffer>;
}

// Enough for ffmpeg's last few messages; older output is noise by the time it fails.
const STDERR_TAIL = 8 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_STDOUT = 16 * 1024 ** 2;

/** Starts `tool` for streaming: the caller feeds stdin and/or reads stdout and must end it (stop()). */
export function start(tool: FfmpegTool, args: string[], options: StartOptions = {}): FfmpegProcess {
  const { stdin = 'ignore', stdout = 'pipe', signal } = options;
  signal?.throwIfAborted();
  const command = toolPath(tool);
  const child = spawn(command, args, { stdio: [stdin, stdout, 'pipe'] });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL);
  });
  // Writes to a dead ffmpeg fail with EPIPE (the write callback gets it too): the exit status and stderr
  // say why, and that is what gets reported. A read error still reaches whoever iterates stdout.
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('error', () => undefined);
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => signal?.removeEventListener('abort', kill));

  const failure = (purpose: string, exit: Exit): FfmpegError => {
    const stderr = tail;
    const details = { tool, stderr, exitCode: exit.code, signal: exit.signal, cause: exit.error };
    if (exit.error) {
      const reason = exit.error.code === 'ENOENT' ? 'not-installed' : 'cannot-start';
      return new FfmpegError(purpose, startFailure(tool, command, exit.error), { ...details, reason });
    }
    const ended = exit.signal
      ? `${tool} was killed by ${exit.signal}`
      : `${tool} exited with code ${exit.code}`;
    return new FfmpegError(purpose, usefulLines(stderr) ?? ended, { ...details, reason: 'exited' });
  };

  const stop = async () => {
    kill();
    child.stdout?.destroy();
    child.stdin?.destroy();
    await exited;
  };

  const result = async (purpose: string, limits: ResultOptions = {}): Promise<Buffer> => {
    const { timeoutMs = DEFAULT_TIMEOUT_MS, maxStdoutBytes = DEFAULT_MAX_STDOUT } = limits;
    const chunks: Buffer[] = [];
    let bytes = 0;
    // Why we killed it, if we did.
    let stopped: { reason: 'timed-out' | 'too-much-output'; detail: string } | undefined;
    const stopFor = (reason: 'timed-out' | 'too-much-output', detail: string) => {
      stopped ??= { reason, detail };
      kill();
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
      if (bytes > maxStdoutBytes)
        stopFor('too-much-output', `${tool} printed more than ${maxStdoutBytes} bytes`);
      else chunks.push(chunk);
    });
    const timer = setTimeout(
      () => stopFor('timed-out', `${tool} took longer than ${timeoutMs} ms`),
      timeoutMs,
    );
    const exit = await exited;
    clearTimeout(timer);
    signal?.throwIfAborted();
    if (stopped) {
      const { reason, detail } = stopped;
      throw new FfmpegError(purpose, detail, { tool, reason, stderr: tail });
    }
    if (!succeeded(exit)) throw failure(purpose, exit);
    return Buffer.concat(chunks);
  };

  return {
    tool,
    command,
    child,
    stdin: child.stdin,
    stdout: child.stdout,
    exited,
    stderr: () => tail,
    failure,
    stop,
    result,
  };
}

/** Runs `tool` to completion and returns its stdout; any failure is an FfmpegError starting with `purpose`. */
export function run(
  tool: FfmpegTool,
  args: string[],
  purpose: string,
  options: RunOptions = {},
): Promise<Buffer> {
  const { signal, ...limits } = options;
  return start(tool, args, { signal }).result(purpose, limits);
}
