// Runs repository shell scripts with a PATH that holds only chosen real tools plus fake commands
// (uname, sw_vers, nvidia-smi…), so tests can play macOS or a GPU box on any machine.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');

const realBash = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
export const REAL_TOOLS = [
  'bash',
  'node',
  'sed',
  'paste',
  'head',
  'cat',
  'dirname',
  'id',
  'seq',
  'sleep',
  'tr',
  'uname',
];

export class Sandbox {
  readonly bin = mkdtempSync(path.join(os.tmpdir(), 'visage-sandbox-'));
  /** Files fake commands append to when called, one per command name. */
  readonly callLog = path.join(this.bin, 'calls.log');

  constructor(tools: string[] = REAL_TOOLS) {
    for (const tool of tools) {
      const real = execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      symlinkSync(real, path.join(this.bin, tool));
    }
  }

  /**
   * Adds a fake command: a bash body that sees its arguments as "$@" and the real command (if the
   * machine has one) as "$REAL". Every call is logged.
   */
  fake(name: string, body: string): this {
    const file = path.join(this.bin, name);
    const real = spawnSync('bash', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    rmSync(file, { force: true }); // never write through a symlink to the real tool
    writeFileSync(file, `#!${realBash}\nREAL='${real}'\necho "${name} $*" >> '${this.callLog}'\n${body}\n`);
    chmodSync(file, 0o755);
    return this;
  }

  /** Runs a repository script. */
  run(script: string, args: string[] = [], env: Record<string, string> = {}) {
    return this.spawn([path.join(repoRoot, script), ...args], env);
  }

  /** Runs bash code (which may source the repository's scripts/lib/*.sh) inside the sandbox. */
  bash(code: string, env: Record<string, string> = {}) {
    return this.spawn(['-c', code], env);
  }

  private spawn(args: string[], env: Record<string, string>) {
    const result = spawnSync(path.join(this.bin, 'bash'), args, {
      env: { PATH: this.bin, HOME: os.tmpdir(), ...env },
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Every call of a fake command, as "name args…". */
  calls(): string[] {
    if (!existsSync(this.callLog)) return []; // no fake command was called
    return readFileSync(this.callLog, 'utf8').split('\n').filter(Boolean);
  }

  dispose(): void {
    rmSync(this.bin, { recursive: true, force: true });
  }
}

/** Parses `setup.sh --platform` output (key=value lines). */
export function parseKeyValues(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}
