// Spawns ffmpeg/ffprobe without a shell and turns their failures into errors that say what was being
// done and what ffmpeg said, e.g. `Cannot decode "clip.mp4": moov atom not found`.
import { type ChildProcess, spawn } from 'node:child_process';

/** fluent-ffmpeg's variables, so a Homebrew or static build elsewhere than PATH can be used. */
export const ffmpegPath = (): string => process.env.FFMPEG_PATH || 'ffmpeg';
export const ffprobePath = (): string => process.env.FFPROBE_PATH || 'ffprobe';

/** ffmpeg failed at `purpose`; `detail` is the tail of its stderr (or how it died). */
export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
  constructor(
    readonly purpose: string,
    readonly detail: string,
    readonly stderr = '',
    options?: ErrorOptions,
  ) {
    super(`${purpose}: ${detail}`, options);
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started (ENOENT…). */
  error?: Error;
}

export interface Tool {
  command: string;
  child: ChildProcess;
  /** Resolves (never rejects, so an unobserved failure is not an unhandled rejection) once it is reaped. */
  exit: Promise<Exit>;
  stderr: () => string;
}

// Enough for ffmpeg's last few messages; older output is noise by the time it fails.
const STDERR_TAIL = 8 * 1024;

export function startTool(
  command: string,
  args: string[],
  stdio: ['ignore' | 'pipe', 'ignore' | 'pipe', 'pipe'],
): Tool {
  const child = spawn(command, args, { stdio });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL);
  });
  // Writes to a dead ffmpeg fail with EPIPE (the write callback gets it too): the exit status and stderr
  // say why, and that is what gets reported. A read error still reaches whoever iterates stdout.
  child.stdin?.on('error', () => undefined);
  child.stdout?.on('error', () => undefined);
  const exit = new Promise<Exit>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { command, child, exit, stderr: () => tail };
}

export function succeeded(exit: Exit): boolean {
  return exit.code === 0 && !exit.error;
}

/** ffmpeg's own explanation: its last stderr lines, or how the process ended when it printed nothing. */
export function failureDetail(command: string, exit: Exit, stderr: string): string {
  if (exit.error) {
    const hint =
      (exit.error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (is it installed and on PATH?)' : '';
    return `could not run ${command}${hint}: ${exit.error.message}`;
  }
  const lines = stderr
    .replace(/ @ 0x[0-9a-f]+\]/g, ']') // "[mov,mp4… @ 0x5567…]": the address means nothing to anyone
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length > 0) return lines.slice(-3).join('; ');
  return exit.signal ? `${command} was killed by ${exit.signal}` : `${command} exited with code ${exit.code}`;
}

export function toolError(purpose: string, tool: Tool, exit: Exit): FfmpegError {
  const stderr = tool.stderr();
  return new FfmpegError(purpose, failureDetail(tool.command, exit, stderr), stderr, { cause: exit.error });
}

/**
 * Kills a tool we no longer need and waits until it is reaped (no zombie left behind). SIGKILL because
 * ffmpeg treats SIGTERM as "finish up", and it cannot while blocked on a pipe nobody reads.
 */
export async function stopTool(tool: Tool): Promise<void> {
  const { child } = tool;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child.stdout?.destroy();
  child.stdin?.destroy();
  await tool.exit;
}

export interface RunOptions {
  /** Kill it when it runs longer than this (a hung driver, a file that makes the demuxer spin). */
  timeoutMs?: number;
}

/** Runs a short-lived tool to completion and returns its stdout; failures become FfmpegErrors. */
export function runTool(
  command: string,
  args: string[],
  purpose: string,
  options: RunOptions = {},
): Promise<string> {
  return completeTool(startTool(command, args, ['ignore', 'pipe', 'pipe']), purpose, options);
}

/** Waits for a started tool (stdout piped) to end; throws on failure, else returns its stdout. */
export async function completeTool(
  tool: Tool,
  purpose: string,
  { timeoutMs = 60_000 }: RunOptions = {},
): Promise<string> {
  const chunks: Buffer[] = [];
  tool.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    tool.child.kill('SIGKILL');
  }, timeoutMs);
  const exit = await tool.exit;
  clearTimeout(timer);
  if (timedOut)
    throw new FfmpegError(purpose, `${tool.command} took longer than ${timeoutMs} ms`, tool.stderr());
  if (!succeeded(exit)) throw toolError(purpose, tool, exit);
  return Buffer.concat(chunks).toString('utf8');
}
