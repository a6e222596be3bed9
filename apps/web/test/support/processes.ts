// Real processes for integration tests: the web server (server.ts in dev mode) and the worker. Starting
// and stopping them is in processes-core.ts (no vitest, shared with the load benchmark); the waits here
// use vi.waitFor.
import { vi } from 'vitest';
import { type NextServer, type WorkerProcess, warmRoutes } from './processes-core.ts';

export * from './processes-core.ts';

export async function waitForOutput(server: NextServer, text: string): Promise<void> {
  await vi.waitFor(
    () => {
      if (server.output.join('').includes(text)) return;
      const state = server.child.exitCode === null ? 'never printed' : 'exited before printing';
      throw new Error(`the web server ${state} "${text}":\n${server.output.join('')}`);
    },
    { timeout: 60_000, interval: 100 },
  );
}

/** Resolves once next dev has started and compiled its API routes. */
export async function waitUntilReady(server: NextServer): Promise<void> {
  await waitForOutput(server, 'Ready in');
  await warmRoutes(server);
}

/** Resolves with the first log line whose msg is `msg` (after `from` lines), or fails with the logs. */
export function waitForLog(
  worker: WorkerProcess,
  msg: string,
  { from = 0, timeoutMs = 30_000 } = {},
): Promise<Record<string, unknown>> {
  return vi.waitFor(
    () => {
      const line = worker.logs.slice(from).find((l) => l.msg === msg);
      if (line) return line;
      const logs = worker.logs.map((l) => JSON.stringify(l)).join('\n');
      throw new Error(`worker never logged "${msg}":\n${logs}\n${worker.stderr.join('')}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}
