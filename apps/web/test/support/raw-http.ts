// Requests that fetch cannot send: paths exactly as written (no "../" folding, raw "%" and "\"), and
// clients that stop sending half-way, over a plain socket.
import http from 'node:http';
import net from 'node:net';
import { vi } from 'vitest';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with `path` sent verbatim; resolves with the whole answer. */
export function rawRequest(
  base: string,
  {
    method = 'GET',
    path,
    headers = {},
    body,
  }: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export interface StalledClient {
  socket: net.Socket;
  /** Milliseconds from the first byte sent to the server closing the connection, with what it said. */
  closed(timeoutMs: number): Promise<{ afterMs: number; status: number | null; text: string }>;
}

/**
 * Opens a connection and sends `head` (request line and headers, CRLF-separated, ending in a blank
 * line) and `bytes`, then sends nothing more unless the caller writes to `socket`.
 */
export async function stalledUpload(base: string, head: string, bytes: Buffer): Promise<StalledClient> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let closedAt: number | undefined;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // a reset is one way of being cut off; `closed` reports it
  socket.on('close', () => {
    closedAt = performance.now();
  });
  const started = performance.now();
  socket.write(head);
  socket.write(bytes);
  return {
    socket,
    closed: (timeoutMs) =>
      vi.waitFor(
        () => {
          if (closedAt === undefined)
            throw new Error(`the server kept the connection open for ${timeoutMs} ms`);
          const text = Buffer.concat(chunks).toString();
          const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
          return { afterMs: closedAt - started, status: status ? Number(status) : null, text };
        },
        { timeout: timeoutMs, interval: 50 },
      ),
  };
}
