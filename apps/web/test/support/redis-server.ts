// A redis-server of a test's own, on a free loopback port with its data in a temp folder, that the test
// can SIGKILL and start again on the same port and data (docs/reliability.md §4).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { vi } from 'vitest';
import { freePort } from './processes.ts';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** Starts redis-server (again) on the same port and data folder; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL: no shutdown save, no goodbye to clients; resolves once it has exited. */
  kill(): Promise<void>;
  /** Kills it (if running) and removes its data folder. */
  stop(): Promise<void>;
}

async function findOnPath(binary: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, binary);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  throw new Error(
    `${binary} is not on PATH: the Redis restart test runs a Redis server of its own. ` +
      'Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis).',
  );
}

export async function createRedisServer(): Promise<RedisServer> {
  const binary = await findOnPath('redis-server');
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'visage-redis-'));
  let child: ChildProcess | undefined;
  const output: string[] = [];

  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async start() {
      output.length = 0;
      // The append-only file keeps every write; `always` fsyncs each one before Redis answers, so a
      // SIGKILL loses nothing that was acknowledged (the default, everysec, may lose the last second
      // and with it queued jobs, which would make the test depend on timing).
      child = spawn(binary, [
        ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
      ]);
      const started = child;
      started.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      started.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      await vi.waitFor(
        () => {
          const text = output.join('');
          if (text.includes('Ready to accept connections')) return;
          const state = started.exitCode === null ? 'is not ready yet' : 'exited';
          throw new Error(`redis-server on port ${port} ${state}:\n${text}`);
        },
        { timeout: 15_000, interval: 50 },
      );
    },
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return server;
}
