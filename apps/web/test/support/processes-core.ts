// Starting and stopping the real processes (the web server in dev mode, the worker) without vitest, so
// the load benchmark (apps/web/bench) shares them with the tests; processes.ts adds vitest's waits.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export const webDir = path.resolve(import.meta.dirname, '../..');
export const workerDir = path.resolve(webDir, '../worker');
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  return port;
}

export interface NextServer {
  child: ChildProcess;
  base: string;
  output: string[];
  distDir: string;
  exit: Promise<unknown[]>;
}

/**
 * Starts the web server as `npm run dev` does (server.ts: Next in dev mode plus the live socket
 * forwarding), in its own build folder so it never fights a running `npm run dev`.
 */
export async function startNext(env: Record<string, string>): Promise<NextServer> {
  const port = await freePort();
  const distDir = `.next-test-${process.pid}-${port}`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server.ts', '--dev', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: webDir,
      env: {
        ...process.env,
        NODE_ENV: 'development' as const, // what next dev uses; vitest's "test" must not leak into it
        LOG_FORMAT: 'json',
        NEXT_TELEMETRY_DISABLED: '1',
        NEXT_DIST_DIR: distDir,
        BETTER_AUTH_SECRET: 'test-secret-0123456789-0123456789-0123456789',
        BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
        ...env,
      },
      detached: true, // its own process group, so the whole tree can be stopped
    },
  );
  const output: string[] = [];
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  return { child, base: `http://127.0.0.1:${port}`, output, distDir, exit: once(child, 'exit') };
}

/**
 * next dev compiles each route on its first request, which on a loaded 2-core CI machine can take longer
 * than a test's timeout. Requesting the API routes once here moves that wait into the (longer) setup hook.
 * Any answer will do — a 404 or 405 still compiles the route; only a failed connection is an error.
 */
export async function warmRoutes(server: NextServer): Promise<void> {
  for (const route of ['/api/health', '/api/auth/ok', '/api/trpc/warm', '/api/upload', '/api/media/warm']) {
    const response = await fetch(server.base + route, { signal: AbortSignal.timeout(90_000) });
    await response.arrayBuffer();
  }
}

export async function stopNext(server: NextServer | undefined): Promise<void> {
  if (!server) return;
  if (server.child.pid && server.child.exitCode === null) {
    process.kill(-server.child.pid, 'SIGTERM');
    await server.exit;
  }
  await rm(path.join(webDir, server.distDir), { recursive: true, force: true });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Parsed JSON log lines. */
  logs: Record<string, unknown>[];
  stderr: string[];
  exit: Promise<unknown[]>;
}

/** Starts the worker the way `npm start` does, logging JSON so tests can read its lines. */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: workerDir,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
  });
  const worker: WorkerProcess = { child, logs: [], stderr: [], exit: once(child, 'exit') };
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) worker.logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => worker.stderr.push(chunk.toString()));
  return worker;
}
