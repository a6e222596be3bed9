// Runs ffprobe/ffmpeg without a shell, keeping stdout (bounded) and the tail of stderr for messages.
import { spawn } from 'node:child_process';

export interface ToolOptions {
  /** Kill the tool and fail when it prints more than this (its output is read into memory). */
  maxStdoutBytes?: number;
  /** Kill the tool when it runs longer than this (a crafted file can make a decoder spin). */
  timeoutMs?: number;
}

/** The tool ran and failed; `detail` names the problem (usually its last stderr line). */
export class ToolError extends Error {
  override readonly name = 'ToolError';
  constructor(
    message: string,
    readonly detail: string,
    readonly stderr: string,
  ) {
    super(message);
  }

  /** `detail` with a file path taken out: users should not see the server's temp paths. */
  detailWithout(path: string): string {
    return this.detail.replaceAll(`${path}: `, '').replaceAll(path, 'file');
  }
}

const STDERR_TAIL = 8 * 1024;

export function runTool(command: string, args: string[], options: ToolOptions = {}): Promise<Buffer> {
  const { maxStdoutBytes = 16 * 1024 ** 2, timeoutMs = 120_000 } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    // Why we killed it, if we did. SIGKILL: ffmpeg treats SIGTERM as "finish up", which can take long.
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`took longer than ${timeoutMs} ms`), timeoutMs);

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.byteLength;
      if (stdoutBytes > maxStdoutBytes) stop(`printed more than ${maxStdoutBytes} bytes`);
      else stdout.push(chunk);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });

    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = error.code === 'ENOENT' ? ' (is ffmpeg installed and on PATH?)' : '';
      reject(new Error(`Could not run ${command}${hint}: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && !stopped) return resolve(Buffer.concat(stdout));
      const detail = stopped
        ? `${command} ${stopped}`
        : (lastLine(stderr) ??
          `${command} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`);
      reject(new ToolError(`${command} failed: ${detail}`, detail, stderr));
    });
  });
}

function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
}
