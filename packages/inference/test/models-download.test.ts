// downloadModel against a local HTTP server on 127.0.0.1 that misbehaves on purpose: dropped
// connections, ignored Range headers, redirects, 404, 503, wrong bytes, stalls.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadCancelledError, type DownloadSource, downloadModel } from '../src/models/download.ts';
import { ChecksumError, HttpError } from '../src/models/errors.ts';

const FILE = randomBytes(1024 * 1024 + 123); // odd size, several chunks
const SHA = createHash('sha256').update(FILE).digest('hex');

interface Logged {
  path: string;
  range: string | undefined;
  status: number;
  sent: number;
}
type Route = (req: IncomingMessage, res: ServerResponse, log: Logged, nth: number) => void;

/** A server whose routes count their requests and log Range headers and bytes sent. */
async function startServer(routes: Record<string, Route>) {
  const requests: Logged[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const log: Logged = { path: pathname, range: req.headers.range, status: 0, sent: 0 };
    requests.push(log);
    const nth = (counts.get(pathname) ?? 0) + 1;
    counts.set(pathname, nth);
    const route = routes[pathname];
    if (!route) return status(res, log, 404);
    route(req, res, log, nth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    requests,
    bytesSent: () => requests.reduce((sum, r) => sum + r.sent, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function status(res: ServerResponse, log: Logged, code: number) {
  log.status = code;
  res.writeHead(code, { 'content-type': 'text/plain' }).end(`status ${code}`);
}

function send(
  res: ServerResponse,
  log: Logged,
  body: Buffer,
  code = 200,
  headers: http.OutgoingHttpHeaders = {},
) {
  log.status = code;
  log.sent += body.length;
  res.writeHead(code, { 'content-length': body.length, ...headers }).end(body);
}

/** Serves `body` honouring `Range: bytes=N-` with 206, like a well-behaved CDN. */
function serveRanged(body: Buffer): Route {
  return (req, res, log) => {
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (!match) return send(res, log, body);
    const start = Number(match[1]);
    if (start >= body.length) return status(res, log, 416);
    send(res, log, body.subarray(start), 206, {
      'content-range': `bytes ${start}-${body.length - 1}/${body.length}`,
    });
  };
}

/** Sends the headers for the whole body, then only the first `fraction`, then cuts the connection. */
function dropHalfway(body: Buffer, fraction = 0.5): Route {
  return (_req, res, log) => {
    const part = body.subarray(0, Math.floor(body.length * fraction));
    log.status = 200;
    log.sent += part.length;
    res.writeHead(200, { 'content-length': body.length });
    res.write(part, () => setTimeout(() => res.socket?.destroy(), 20));
  };
}

let dir: string;
let server: Awaited<ReturnType<typeof startServer>> | undefined;
const source = (urls: string[], extra: Partial<DownloadSource> = {}): DownloadSource => ({
  file: 'model.onnx',
  urls,
  sha256: SHA,
  bytes: FILE.length,
  ...extra,
});
const fast = { retries: 4, backoffMs: 1 };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-download-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('downloadModel', () => {
  it('should download, verify and rename atomically, reporting monotonic progress up to the total', async () => {
    server = await startServer({ '/model.onnx': serveRanged(FILE) });
    const progress: [number, number | null][] = [];
    const result = await downloadModel(source([server.url('/model.onnx')]), dir, {
      onProgress: (received, total) => progress.push([received, total]),
    });
    expect(result).toMatchObject({ path: path.join(dir, 'model.onnx'), bytes: FILE.length, sha256: SHA });
    expect(result.resumedFrom).toBe(0);
    expect((await readFile(result.path)).equals(FILE)).toBe(true);
    expect(existsSync(`${result.path}.part`)).toBe(false);
    expect(progress.length).toBeGreaterThan(2);
    for (const [i, [received, total]] of progress.entries()) {
      expect(total).toBe(FILE.length);
      if (i > 0) expect(received).toBeGreaterThanOrEqual(progress[i - 1]?.[0] ?? 0);
    }
    expect(progress.at(-1)).toEqual([FILE.length, FILE.length]);
  });

  it('should not show the final file before it is complete', async () => {
    server = await startServer({ '/model.onnx': dropHalfway(FILE) });
    const seen: boolean[] = [];
    await expect(
      downloadModel(source([server.url('/model.onnx')]), dir, {
        retries: 0,
        onProgress: () => seen.push(existsSync(path.join(dir, 'model.onnx'))),
      }),
    ).rejects.toThrow(/connection/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((present) => !present)).toBe(true);
    expect(existsSync(path.join(dir, 'model.onnx'))).toBe(false);
    expect((await stat(path.join(dir, 'model.onnx.part'))).size).toBeGreaterThan(0);
  });

  it('should resume with a Range request after the connection drops half-way', async () => {
    const ranged = serveRanged(FILE);
    const drop = dropHalfway(FILE);
    server = await startServer({
      '/model.onnx': (req, res, log, nth) =>
        nth === 1 ? drop(req, res, log, nth) : ranged(req, res, log, nth),
    });
    const notices: string[] = [];
    const result = await downloadModel(source([server.url('/model.onnx')]), dir, {
      ...fast,
      onNotice: (m) => notices.push(m),
    });
    expect((await readFile(result.path)).equals(FILE)).toBe(true);
    const [first, second] = server.requests;
    expect(server.requests).toHaveLength(2);
    expect(first?.range).toBeUndefined();
    expect(second?.range).toMatch(/^bytes=(\d+)-$/);
    const resumedAt = Number(/\d+/.exec(second?.range ?? '')?.[0]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(result.resumedFrom).toBe(resumedAt);
    expect(second?.status).toBe(206);
    expect(server.bytesSent()).toBeLessThan(2 * FILE.length);
    expect(notices.join('\n')).toMatch(/connection lost.*retrying in 1 ms/);
  });

  it('should start over when the server ignores Range and answers 200', async () => {
    server = await startServer({ '/model.onnx': (_req, res, log) => send(res, log, FILE) });
    // A part file of garbage: if it were kept, the checksum would fail.
    await writeFile(path.join(dir, 'model.onnx.part'), randomBytes(5000));
    const notices: string[] = [];
    const result = await downloadModel(source([server.url('/model.onnx')]), dir, {
      onNotice: (m) => notices.push(m),
    });
    expect(server.requests[0]?.range).toBe('bytes=5000-');
    expect(server.requests[0]?.status).toBe(200);
    expect(result.resumedFrom).toBe(0);
    expect(result.sha256).toBe(SHA);
    expect((await readFile(result.path)).equals(FILE)).toBe(true);
    expect(notices.join()).toMatch(/ignored the Range request/);
  });

  it('should follow a redirect chain', async () => {
    server = await startServer({
      '/a': (_req, res) => res.writeHead(302, { location: '/b' }).end(),
      '/b': (_req, res) => res.writeHead(301, { location: '/model.onnx' }).end(),
      '/model.onnx': serveRanged(FILE),
    });
    const result = await downloadModel(source([server.url('/a')]), dir);
    expect(result.sha256).toBe(SHA);
    expect(server.requests.map((r) => r.path)).toEqual(['/a', '/b', '/model.onnx']);
  });

  it('should give up after 5 redirects', async () => {
    server = await startServer(
      Object.fromEntries(
        Array.from({ length: 8 }, (_, i) => [
          `/r${i}`,
          (_req, res) => res.writeHead(302, { location: `/r${i + 1}` }).end(),
        ]),
      ) as Record<string, Route>,
    );
    await expect(downloadModel(source([server.url('/r0')]), dir, fast)).rejects.toThrow(
      /more than 5 redirects/,
    );
    expect(server.requests).toHaveLength(6);
  });

  it('should fail at once on 404, naming the URL and the status', async () => {
    server = await startServer({});
    const url = server.url('/missing.onnx');
    const error = await downloadModel(source([url]), dir, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toContain('404');
    expect(server.requests).toHaveLength(1);
  });

  it('should retry 503 with back-off and then succeed', async () => {
    const ranged = serveRanged(FILE);
    server = await startServer({
      '/model.onnx': (req, res, log, nth) => (nth <= 2 ? status(res, log, 503) : ranged(req, res, log, nth)),
    });
    const notices: string[] = [];
    const result = await downloadModel(source([server.url('/model.onnx')]), dir, {
      retries: 4,
      backoffMs: 5,
      onNotice: (m) => notices.push(m),
    });
    expect(result.sha256).toBe(SHA);
    expect(server.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(notices[0]).toMatch(/HTTP 503.*retrying in 5 ms \(retry 1 of 4\)/);
    expect(notices[1]).toMatch(/retrying in 10 ms \(retry 2 of 4\)/);
  });

  it('should stop retrying after `retries` retries', async () => {
    server = await startServer({ '/model.onnx': (_req, res, log) => status(res, log, 503) });
    await expect(
      downloadModel(source([server.url('/model.onnx')]), dir, { retries: 2, backoffMs: 1 }),
    ).rejects.toThrow(/HTTP 503/);
    expect(server.requests).toHaveLength(3);
  });

  it('should delete the part file and name both hashes when the checksum does not match', async () => {
    const wrong = randomBytes(FILE.length);
    const wrongSha = createHash('sha256').update(wrong).digest('hex');
    server = await startServer({ '/model.onnx': serveRanged(wrong) });
    const error = await downloadModel(source([server.url('/model.onnx')]), dir, fast).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ChecksumError);
    expect((error as Error).message).toContain(`expected ${SHA}`);
    expect((error as Error).message).toContain(`got ${wrongSha}`);
    expect(existsSync(path.join(dir, 'model.onnx.part'))).toBe(false);
    expect(existsSync(path.join(dir, 'model.onnx'))).toBe(false);
    expect(server.requests).toHaveLength(1); // a wrong file is not retried
  });

  it('should refuse a file whose size differs from the catalog before downloading it', async () => {
    server = await startServer({ '/model.onnx': serveRanged(FILE.subarray(0, 1000)) });
    await expect(downloadModel(source([server.url('/model.onnx')]), dir, fast)).rejects.toThrow(
      `serves 1000 bytes for model.onnx, expected ${FILE.length}`,
    );
    expect(server.bytesSent()).toBe(1000); // sent by the server, but not written
    expect(existsSync(path.join(dir, 'model.onnx.part'))).toBe(false);
  });

  it('should try the next mirror when one fails', async () => {
    server = await startServer({ '/good/model.onnx': serveRanged(FILE) });
    const notices: string[] = [];
    const result = await downloadModel(
      source([server.url('/gone/model.onnx'), server.url('/good/model.onnx')]),
      dir,
      { ...fast, onNotice: (m) => notices.push(m) },
    );
    expect(result.url).toBe(server.url('/good/model.onnx'));
    expect(result.sha256).toBe(SHA);
    expect(server.requests.map((r) => [r.path, r.status])).toEqual([
      ['/gone/model.onnx', 404],
      ['/good/model.onnx', 200],
    ]);
    expect(notices.join()).toMatch(/HTTP 404.*trying the next mirror/);
  });

  it('should name every mirror when all fail', async () => {
    server = await startServer({ '/b': (_req, res, log) => status(res, log, 403) });
    await expect(downloadModel(source([server.url('/a'), server.url('/b')]), dir, fast)).rejects.toThrow(
      /from any of its 2 mirrors: .*\/a failed: HTTP 404.*\/b failed: HTTP 403/,
    );
  });

  it('should keep the part file when aborted, and resume it on the next call', async () => {
    let stalled = true;
    const ranged = serveRanged(FILE);
    server = await startServer({
      '/model.onnx': (req, res, log, nth) => {
        if (!stalled) return ranged(req, res, log, nth);
        // Half the file, then nothing: the client must be cancelled by the test.
        const part = FILE.subarray(0, FILE.length / 2);
        log.status = 200;
        log.sent += part.length;
        res.writeHead(200, { 'content-length': FILE.length });
        res.write(part);
      },
    });
    const controller = new AbortController();
    const error = await downloadModel(source([server.url('/model.onnx')]), dir, {
      ...fast,
      signal: controller.signal,
      onProgress: (received) => {
        if (received >= FILE.length / 4) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadCancelledError);
    expect((error as Error).message).toMatch(/cancelled; \d+ bytes kept/);
    expect(server.requests).toHaveLength(1); // neither retried nor sent to another mirror
    const kept = (await stat(path.join(dir, 'model.onnx.part'))).size;
    expect(kept).toBeGreaterThan(0);
    expect(existsSync(path.join(dir, 'model.onnx'))).toBe(false);

    stalled = false;
    const result = await downloadModel(source([server.url('/model.onnx')]), dir, fast);
    expect(server.requests[1]?.range).toBe(`bytes=${kept}-`);
    expect(result.resumedFrom).toBe(kept);
    expect((await readFile(result.path)).equals(FILE)).toBe(true);
  });

  it('should download a file with no known size or checksum', async () => {
    server = await startServer({
      '/model.onnx': (_req, res, log) => {
        log.status = 200;
        log.sent = FILE.length;
        res.writeHead(200).end(FILE); // chunked: no content-length
      },
    });
    const totals = new Set<number | null>();
    const result = await downloadModel(
      source([server.url('/model.onnx')], { sha256: null, bytes: null }),
      dir,
      {
        onProgress: (_received, total) => totals.add(total),
      },
    );
    expect(result.sha256).toBe(SHA);
    expect([...totals]).toEqual([null]);
  });

  it('should record the size of a file the catalog gives no size for, and only then', async () => {
    server = await startServer({ '/model.onnx': serveRanged(FILE) });
    const unsized = await downloadModel(source([server.url('/model.onnx')], { bytes: null }), dir);
    expect((await readFile(`${unsized.path}.size`, 'utf8')).trim()).toBe(String(FILE.length));

    const sized = path.join(dir, 'sized');
    const result = await downloadModel(source([server.url('/model.onnx')]), sized);
    expect(existsSync(result.path)).toBe(true);
    expect(existsSync(`${result.path}.size`)).toBe(false);
  });

  it('should record nothing for a download that fails', async () => {
    server = await startServer({ '/model.onnx': serveRanged(randomBytes(FILE.length)) });
    await expect(
      downloadModel(source([server.url('/model.onnx')], { bytes: null }), dir, fast),
    ).rejects.toThrow(ChecksumError);
    expect(existsSync(path.join(dir, 'model.onnx.size'))).toBe(false);
  });
});
