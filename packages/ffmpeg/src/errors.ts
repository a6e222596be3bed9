// One error type for everything that can go wrong with ffmpeg or ffprobe: it says what was being done
// (`purpose`), which tool, how it ended and what it printed, e.g.
// `Cannot decode "clip.mp4": moov atom not found; Invalid data found when processing input`.
import { envVariable, type FfmpegTool } from './tools.ts';

export type FfmpegFailure =
  /** The binary is not there: not on PATH, or FFMPEG_PATH / FFPROBE_PATH points nowhere (ENOENT). */
  | 'not-installed'
  /** The binary is there but could not be started (EACCES…). */
  | 'cannot-start'
  /** It ran and failed: a non-zero exit, or killed by a signal. */
  | 'exited'
  | 'timed-out'
  | 'too-much-output'
  /** ffprobe read the file, but it has no video stream (only audio, or cover art). */
  | 'no-video-stream'
  /** It ran, but what came out is not usable: no size or frame rate, invalid JSON, a cut-off frame… */
  | 'unusable';

export interface FfmpegErrorDetails {
  tool: FfmpegTool;
  reason: FfmpegFailure;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** The tail of the tool's stderr. */
  stderr?: string;
  cause?: unknown;
}

export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
  readonly tool: FfmpegTool;
  readonly reason: FfmpegFailure;
  /** The exit code when the tool ran to its end; null when it was killed or never started. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;

  constructor(
    /** What was being done, e.g. `Cannot read video "clip.mp4"`: the start of the message. */
    readonly purpose: string,
    /** What went wrong: the useful stderr lines, or how the tool ended when it printed nothing. */
    readonly detail: string,
    details: FfmpegErrorDetails,
  ) {
    const exit = exitNote(details);
    super(`${purpose}: ${detail}${exit && !detail.includes(exit) ? ` (${exit})` : ''}`, {
      cause: details.cause,
    });
    this.tool = details.tool;
    this.reason = details.reason;
    this.exitCode = details.exitCode ?? null;
    this.signal = details.signal ?? null;
    this.stderr = details.stderr ?? '';
  }

  /** `detail` with a file path taken out: users should not see the server's temp paths. */
  detailWithout(path: string): string {
    return this.detail.replaceAll(`${path}: `, '').replaceAll(path, 'file');
  }
}

function exitNote({ tool, exitCode, signal }: FfmpegErrorDetails): string | undefined {
  if (signal) return `${tool} was killed by ${signal}`;
  if (exitCode !== undefined && exitCode !== null && exitCode !== 0)
    return `${tool} exited with code ${exitCode}`;
  return undefined;
}

/** Why `command` (the resolved `tool`) could not be started, worded for whoever installs ffmpeg. */
export function startFailure(tool: FfmpegTool, command: string, error: NodeJS.ErrnoException): string {
  if (error.code !== 'ENOENT') return `could not run ${command}: ${error.message}`;
  const variable = envVariable(tool);
  if (command !== tool) {
    return `${variable} points nowhere: nothing runnable at "${command}" (fix it, or unset it to use the ${tool} on PATH)`;
  }
  const hint = tool === 'ffprobe' ? 'it comes with ffmpeg' : 'install it';
  return `${tool} is not installed: no "${tool}" on PATH (${hint}, or set ${variable} to its binary)`;
}

/** The tool's own explanation: its last few stderr lines, without the memory addresses ffmpeg prints. */
export function usefulLines(stderr: string): string | undefined {
  const lines = stderr
    .replace(/ @ 0x[0-9a-f]+\]/g, ']') // "[mov,mp4… @ 0x5567…]": the address means nothing to anyone
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.length > 0 ? lines.slice(-3).join('; ') : undefined;
}
