// The HTTP layer under attack (issue 18, docs/security.md §5–§9), against one real web server:
// security headers on every kind of response, cross-site refusals on every state-changing route,
// stalled and oversized uploads, rate limits that spoofed X-Forwarded-For cannot reset, and the
// media routes' answers to traversal, other users' ids and abusive Range headers.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createDb } from '@visage/db';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, authPost, signUp, trpcWith } from './support/http.ts';
import { type NextServer, startNext, stopNext, waitUntilReady, webDir } from './support/processes.ts';
import { rawRequest, stalledUpload } from './support/raw-http.ts';
import { createTestEnv, type TestEnv } from './support/stack.ts';

const IDLE_MS = 1_500;
const DEADLINE_MS = 5_000;
/** How late an answer may be on a loaded machine and still count as "on time". */
const SLACK_MS = 10_000;

let testEnv: TestEnv;
let server: NextServer;
let ada: Account;
let bob: Account;
let apiKey: string;
let png: Buffer;
let asset: { id: string; bytes: number };
let jobId: string;

const withKey = () => ({ 'x-api-key': apiKey });

beforeAll(async () => {
  testEnv = await createTestEnv('httpsec', {
    VISAGE_AUTH_RATE_LIMIT: '1',
    VISAGE_UPLOAD_IDLE_TIMEOUT_MS: String(IDLE_MS),
    VISAGE_UPLOAD_DEADLINE_MS: String(DEADLINE_MS),
    VISAGE_MAX_IMAGE_MB: '1',
    VISAGE_MAX_VIDEO_MB: '2',
  });
  server = await startNext(testEnv.env);
  await waitUntilReady(server);
  ada = await withServerOutput(() => signUp(server.base, 'ada@example.com'));
  const adaTrpc = trpcWith(server.base, { cookie: ada.cookie });
  apiKey = (await adaTrpc.apiKeys.create.mutate({ name: 'http' })).key;
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
    .png()
    .toBuffer();
  const uploaded = await fetch(`${server.base}/api/upload?name=a.png`, {
    method: 'POST',
    headers: withKey(),
    body: new Uint8Array(png),
  });
  expect(uploaded.status, server.output.join('')).toBe(201);
  asset = (await uploaded.json()) as { id: string; bytes: number };
  // No worker runs here: the job stays queued, which is all the preview route needs.
  jobId = (
    await adaTrpc.jobs.create.mutate({ plugin: 'test', input: { image: asset.id, steps: 2, stepMs: 10 } })
  ).id;
  await adaTrpc.system.setSignupOpen.mutate({ open: true });
  bob = await signUp(server.base, 'bob@example.com');
}, 240_000);

/** Runs `step`; when it fails, the error carries the web server's last output (which says why). */
async function withServerOutput<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new Error(
      `${(error as Error).message}\n--- web server output:\n${server.output.join('').slice(-4000)}`,
    );
  }
}

afterAll(async () => {
  await stopNext(server);
  await testEnv?.drop();
});

function expectSecurityHeaders(headers: Headers, what: string) {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("default-src 'self'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toMatch(/img-src 'self' blob: data:/);
  expect(csp, what).toMatch(/media-src 'self' blob: data:/);
  expect(csp, what).toContain(`connect-src 'self' ws://${new URL(server.base).host}`);
  expect(headers.get('x-frame-options'), what).toBe('DENY');
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
  expect(headers.get('permissions-policy'), what).toContain('camera=(self)');
}

describe('security headers', () => {
  it('should be on pages, route handlers, assets, 404s, redirects and errors', async () => {
    const signIn = await fetch(`${server.base}/sign-in`, { headers: { cookie: '' } });
    const html = await signIn.text();
    const script = /\/_next\/static\/[^"']+\.js/.exec(html)?.[0];
    expect(script, 'a script of the sign-in page').toBeDefined();
    const cases: [string, string, Record<string, string>, number][] = [
      ['page (signed out, via redirect)', '/sign-in', {}, 200],
      ['redirect by proxy.ts', '/gallery', {}, 307],
      ['Next asset', script ?? '', {}, 200],
      ['missing asset', '/_next/static/chunks/missing.js', {}, 404],
      ['404 page', '/no-such-page', { cookie: ada.cookie }, 404],
      ['health', '/api/health', {}, 200],
      ['tRPC query', '/api/trpc/system.status', withKey(), 200],
      ['tRPC 401', '/api/trpc/system.status', {}, 401],
      ['media', `/api/media/${asset.id}`, withKey(), 200],
      ['media 404', '/api/media/nope', withKey(), 404],
      ['unknown API path', '/api/no-such-route', {}, 404],
      ['auth', '/api/auth/get-session', { cookie: ada.cookie }, 200],
      ['zip', `/api/assets/zip?ids=${asset.id}`, withKey(), 200],
    ];
    for (const [what, url, headers, status] of cases) {
      const response = await fetch(server.base + url, { headers, redirect: 'manual' });
      await response.arrayBuffer();
      expect(response.status, `${what}: ${url}`).toBe(status);
      expectSecurityHeaders(response.headers, `${what}: ${url}`);
    }
    // React Refresh needs eval in development only; the policy says so.
    expect(signIn.headers.get('content-security-policy')).toContain("'unsafe-eval'");
    const upload = await fetch(`${server.base}/api/upload`, {
      method: 'POST',
      headers: withKey(),
      body: 'x',
    });
    expect(upload.status).toBeGreaterThanOrEqual(400);
    expectSecurityHeaders(upload.headers, 'a refused upload');
  }, 240_000);
});

describe('cross-site requests', () => {
  const evil = 'http://evil.example';

  it('should refuse every cookie-carrying state-changing route from another site', async () => {
    const cases: Record<string, () => Promise<Response>> = {
      '/api/upload POST': () =>
        fetch(`${server.base}/api/upload?name=x.png`, {
          method: 'POST',
          headers: { cookie: ada.cookie, origin: evil },
          body: new Uint8Array(png),
        }),
      '/api/assets/zip POST': () =>
        fetch(`${server.base}/api/assets/zip`, {
          method: 'POST',
          headers: { cookie: ada.cookie, origin: evil, 'content-type': 'application/x-www-form-urlencoded' },
          body: `ids=${asset.id}`,
        }),
      '/api/trpc/[trpc] POST': () =>
        fetch(`${server.base}/api/trpc/apiKeys.create`, {
          method: 'POST',
          headers: { cookie: ada.cookie, origin: evil, 'content-type': 'application/json' },
          body: JSON.stringify({ json: { name: 'stolen' } }),
        }),
    };
    // Every route file's state-changing handlers are in the table (better-auth checks its own).
    const routes = await stateChangingRoutes();
    expect(Object.keys(cases).sort()).toEqual(routes.filter((r) => !r.startsWith('/api/auth/')).sort());
    for (const [route, send] of Object.entries(cases)) {
      const response = await send();
      expect(response.status, route).toBe(403);
      expect(await response.json(), route).toMatchObject({ code: 'FORBIDDEN', error: /Cross-site/ });
    }
    // Without Origin, the browser's Sec-Fetch-Site decides.
    const noOrigin = await fetch(`${server.base}/api/upload?name=x.png`, {
      method: 'POST',
      headers: { cookie: ada.cookie, 'sec-fetch-site': 'cross-site' },
      body: new Uint8Array(png),
    });
    expect(noOrigin.status).toBe(403);
  }, 60_000);

  it('should accept the same requests from Visage itself, and API-key requests from anywhere', async () => {
    const own = await fetch(`${server.base}/api/upload?name=own.png`, {
      method: 'POST',
      headers: { cookie: ada.cookie, origin: server.base },
      body: new Uint8Array(png),
    });
    expect(own.status).toBe(201);
    const zip = await fetch(`${server.base}/api/assets/zip`, {
      method: 'POST',
      headers: {
        cookie: ada.cookie,
        origin: server.base,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `ids=${asset.id}`,
    });
    expect(zip.status).toBe(200);
    await zip.arrayBuffer();
    const script = await fetch(`${server.base}/api/upload?name=script.png`, {
      method: 'POST',
      headers: { ...withKey(), origin: evil },
      body: new Uint8Array(png),
    });
    expect(script.status).toBe(201);
  }, 60_000);
});

/** "<route> <METHOD>" for each POST/PUT/PATCH/DELETE handler exported by a route file under app/api. */
async function stateChangingRoutes(): Promise<string[]> {
  const apiDir = path.join(webDir, 'src/app/api');
  const files = (await readdir(apiDir, { recursive: true })).filter((f) => /(^|\/)route\.ts$/.test(f));
  const found: string[] = [];
  for (const file of files) {
    const source = await readFile(path.join(apiDir, file), 'utf8');
    const route = `/api/${path.dirname(file)}`;
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
      if (new RegExp(`export (async )?function ${method}\\b|as ${method}\\b`).test(source))
        found.push(`${route} ${method}`);
  }
  return found;
}

describe('slow and stalled clients', () => {
  const head = (length: number, headers = '') =>
    `POST /api/upload?name=slow.png HTTP/1.1\r\nHost: ${new URL(server.base).host}\r\n` +
    `Content-Length: ${length}\r\n${headers}\r\n`;

  it('should cut off an upload that stops sending after the idle timeout', async () => {
    const client = await stalledUpload(
      server.base,
      head(200_000, `X-Api-Key: ${apiKey}\r\n`),
      png.subarray(0, 16),
    );
    const { afterMs, status, text } = await client.closed(IDLE_MS + SLACK_MS);
    expect(status, text).toBe(408);
    expect(text).toContain('"code":"UPLOAD_TIMEOUT"');
    expect(text).toMatch(/The upload stalled: no data for 1\.5 s/);
    expect(afterMs).toBeGreaterThanOrEqual(IDLE_MS - 100);
  }, 30_000);

  it('should cut off an upload that trickles in past the deadline, while a read waits', async () => {
    const client = await stalledUpload(
      server.base,
      head(200_000, `X-Api-Key: ${apiKey}\r\n`),
      png.subarray(0, 16),
    );
    // One byte at a time, each well inside the idle timeout: only the overall deadline can stop it.
    const drip = setInterval(
      () => client.socket.writable && client.socket.write(Buffer.from([0])),
      IDLE_MS / 5,
    );
    try {
      const { afterMs, status, text } = await client.closed(DEADLINE_MS + SLACK_MS);
      expect(status, text).toBe(408);
      expect(text).toContain(`The upload took longer than the ${DEADLINE_MS / 1000} s allowed`);
      expect(afterMs).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    } finally {
      clearInterval(drip);
    }
  }, 40_000);

  it('should close on an anonymous client that stalls, after answering 401', async () => {
    const client = await stalledUpload(server.base, head(200_000), png.subarray(0, 16));
    const { status, text } = await client.closed(IDLE_MS + SLACK_MS);
    expect(status, text).toBe(401);
  }, 30_000);

  it('should refuse a declared Content-Length over the limit with 413 before reading the body', async () => {
    // Ten gigabytes announced, not one byte sent: the answer cannot have waited for the body.
    const client = await stalledUpload(
      server.base,
      head(10 * 1024 ** 3, `X-Api-Key: ${apiKey}\r\n`),
      Buffer.alloc(0),
    );
    const { status, text } = await client.closed(SLACK_MS);
    expect(status, text).toBe(413);
    expect(text).toContain('"code":"TOO_LARGE"');
  }, 30_000);
});

describe('media routes', () => {
  it('should answer traversal and odd encodings in the id with a 4xx, never a file', async () => {
    const paths = [
      '/api/media/../../etc/passwd',
      '/api/media/..%2f..%2f..%2fetc%2fpasswd',
      '/api/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/api/media/..\\..\\etc\\passwd',
      '/api/media/%5c..%5c..%5cetc%5cpasswd',
      '/api/media/%00',
      `/api/media/${asset.id}%00`,
      `/api/media/${asset.id}%00.png`,
      '/api/media/%ZZ',
      '/api/media/%ED%A0%80',
      `/api/media/${'a'.repeat(8_000)}`,
      `/api/media/${asset.id}/..%2f..%2f..%2fpackage.json`,
      `/api/media/${asset.id}?variant=%00`,
      `/api/jobs/..%2f..%2fetc%2fpasswd/preview`,
      `/api/jobs/%00/preview`,
    ];
    for (const p of paths) {
      const answer = await rawRequest(server.base, { path: p, headers: withKey() });
      // "/api/media/../../etc/passwd" is folded to /etc/passwd (backslashes too, by a 308), a page
      // path that no route handler serves: off to sign-in.
      if (answer.status === 307 || answer.status === 308)
        expect(answer.headers.location, p).toMatch(/^\/(sign-in\?|etc\/passwd$)/);
      else expect(answer.status, `${p}: ${answer.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, p).toBeLessThan(500);
      expect(answer.body, p).not.toContain('root:');
      if (answer.headers['content-type']?.includes('json'))
        expect(JSON.parse(answer.body), p).toMatchObject({
          error: expect.any(String),
          code: expect.any(String),
        });
    }
  }, 60_000);

  it("should answer another user's ids as missing", async () => {
    const bobHeaders = { cookie: bob.cookie };
    for (const url of [
      `/api/media/${asset.id}`,
      `/api/media/${asset.id}?variant=thumbnail`,
      `/api/jobs/${jobId}/preview`,
      `/api/assets/zip?ids=${asset.id}`,
    ]) {
      const response = await fetch(server.base + url, { headers: bobHeaders });
      expect(response.status, url).toBe(404);
      expect(await response.json(), url).toMatchObject({ code: 'NOT_FOUND' });
    }
    const head = await fetch(`${server.base}/api/media/${asset.id}`, { method: 'HEAD', headers: bobHeaders });
    expect(head.status).toBe(404);
    const own = await fetch(`${server.base}/api/media/${asset.id}`, { headers: { cookie: ada.cookie } });
    expect(own.status).toBe(200); // the same request from its owner works
    await own.arrayBuffer();
  }, 60_000);

  it('should answer malformed and abusive Range headers with 200, one range or 416, never a 500', async () => {
    const size = asset.bytes;
    const many = Array.from({ length: 500 }, (_, i) => `${i * 2}-${i * 2}`).join(',');
    // [Range, status, the bytes served as [start, end] or null for none]
    const cases: [string, number, [number, number] | null][] = [
      ['bytes=abc', 200, [0, size - 1]],
      ['bytes=5-1', 200, [0, size - 1]],
      ['bytes=', 200, [0, size - 1]],
      ['bytes=-', 200, [0, size - 1]],
      ['items=0-1', 200, [0, size - 1]],
      ['bytes=0-1-2', 200, [0, size - 1]],
      ['bytes=--5', 200, [0, size - 1]],
      ['bytes=0x10-0x20', 200, [0, size - 1]],
      ['bytes=0-0', 206, [0, 0]],
      ['bytes=10-19', 206, [10, 19]],
      ['bytes=-5', 206, [size - 5, size - 1]],
      ['bytes=-99999999', 206, [0, size - 1]],
      ['bytes=0-99999999999999999999999999', 206, [0, size - 1]],
      ['bytes=1-2, 4-5', 206, [1, 2]],
      [`bytes=${many}`, 206, [0, 0]],
      ['bytes=-0', 416, null],
      [`bytes=${size}-`, 416, null],
      ['bytes=99999999999999999999999-', 416, null],
      [`bytes=${'9'.repeat(4_000)}-`, 416, null],
    ];
    for (const [range, status, served] of cases) {
      const response = await fetch(`${server.base}/api/media/${asset.id}`, {
        headers: { ...withKey(), range },
      });
      const body = Buffer.from(await response.arrayBuffer());
      const what = `Range: ${range.slice(0, 60)}`;
      expect(response.status, what).toBe(status);
      if (served) {
        const [start, end] = served;
        expect(body.equals(png.subarray(start, end + 1)), what).toBe(true);
        if (status === 206)
          expect(response.headers.get('content-range'), what).toBe(`bytes ${start}-${end}/${size}`);
      } else {
        expect(response.headers.get('content-range'), what).toBe(`bytes */${size}`);
        expect(JSON.parse(body.toString()), what).toMatchObject({ code: 'RANGE' });
      }
    }
  }, 60_000);
});

describe('client addresses and rate limits', () => {
  // Last in this file: it uses up the sign-in allowance of 127.0.0.1.
  it('should rate-limit failed sign-ins by the real peer, whatever X-Forwarded-For says', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const attempt = await authPost(
        server.base,
        '/sign-in/email',
        { email: ada.email, password: `wrong guess ${i}` },
        // A new address each time (one address: better-auth would believe it), or a chain: were either
        // believed, every attempt would get a bucket of its own.
        { 'x-forwarded-for': i % 2 ? `198.51.100.${i}` : `198.51.100.${i}, 203.0.113.${i}` },
      );
      statuses.push(attempt.status);
    }
    expect(statuses[0]).toBe(401);
    expect(statuses).toContain(429);
    const db = createDb({ url: testEnv.env.DATABASE_URL ?? '', applicationName: 'httpsec-test' });
    try {
      const keys = (await db.rateLimit.findMany({ select: { key: true } })).map((r) => r.key);
      expect(keys).toContain('127.0.0.1|/sign-in/email');
      expect(keys.filter((k) => /198\.51\.100|203\.0\.113/.test(k))).toEqual([]);
    } finally {
      await db.$disconnect();
    }
  }, 60_000);
});
