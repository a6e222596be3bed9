// Two checks on one real stack (web + worker), with logging turned up (issue 18, docs/security.md §2, §10):
// every route handler under src/app/api, found from the folder so a new one is covered, answers odd
// encodings in its path, query and body with a 4xx in its usual error shape, never a 500; and after a
// sign-up, a failed sign-in, API keys, a session, a job and all those bad requests, neither process's
// output holds a password, key, session token, BETTER_AUTH_SECRET or the database password.
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createVisageClient, type VisageClient } from '@visage/api/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Account, authPost, signUp, trpcWith } from './support/http.ts';
import {
  type NextServer,
  startNext,
  startWorkerProcess,
  stopNext,
  type WorkerProcess,
  waitForLog,
  waitUntilReady,
  webDir,
} from './support/processes.ts';
import { rawRequest } from './support/raw-http.ts';
import { createTestEnv, type TestEnv } from './support/stack.ts';

const secret = (bytes = 18) => randomBytes(bytes).toString('base64url');
const PASSWORD = `pw-${secret()}`;
const GUESS = `guess-${secret()}`;
const AUTH_SECRET = `auth-${secret(32)}`;
const DB_PASSWORD = `db-${secret()}`;

let testEnv: TestEnv;
let server: NextServer;
let worker: WorkerProcess;
let ada: Account;
let apiKey: string;
let revokedKey: string;
let client: VisageClient;
let png: Buffer;
let assetId: string;
let jobId: string;

beforeAll(async () => {
  testEnv = await createTestEnv('malformed', {
    BETTER_AUTH_SECRET: AUTH_SECRET,
    LOG_LEVEL: 'debug',
    VISAGE_MAX_IMAGE_MB: '1',
  });
  // PostgreSQL trusts loopback, so any password connects; it must still never be printed.
  const url = new URL(testEnv.env.DATABASE_URL ?? '');
  url.password = DB_PASSWORD;
  testEnv.env.DATABASE_URL = url.toString();
  server = await startNext(testEnv.env);
  worker = startWorkerProcess(testEnv.env);
  await Promise.all([waitUntilReady(server), waitForLog(worker, 'worker ready')]);

  ada = await withServerOutput(() => signUp(server.base, 'ada@example.com', PASSWORD));
  const session = trpcWith(server.base, { cookie: ada.cookie });
  apiKey = (await session.apiKeys.create.mutate({ name: 'script' })).key;
  const revoked = await session.apiKeys.create.mutate({ name: 'old' });
  revokedKey = revoked.key;
  await session.apiKeys.revoke.mutate({ id: revoked.id });
  client = createVisageClient({ url: server.base, apiKey });
  png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#a35' } })
    .png()
    .toBuffer();
  const uploaded = await fetch(`${server.base}/api/upload?name=p.png`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey },
    body: new Uint8Array(png),
  });
  expect(uploaded.status, server.output.join('')).toBe(201);
  assetId = ((await uploaded.json()) as { id: string }).id;
  jobId = (
    await client.trpc.jobs.create.mutate({ plugin: 'test', input: { image: assetId, steps: 2, stepMs: 10 } })
  ).id;
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
  if (worker?.child.exitCode === null) {
    worker.child.kill('SIGKILL');
    await worker.exit;
  }
  await stopNext(server);
  await testEnv?.drop();
});

interface Route {
  /** The folder under app/api, e.g. "media/[id]". */
  folder: string;
  methods: string[];
}

/** Every route file under src/app/api and the methods it exports. */
async function routeHandlers(): Promise<Route[]> {
  const apiDir = path.join(webDir, 'src/app/api');
  const files = (await readdir(apiDir, { recursive: true })).filter((f) => /(^|\/)route\.ts$/.test(f));
  return Promise.all(
    files.map(async (file) => {
      const source = await readFile(path.join(apiDir, file), 'utf8');
      const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) =>
        new RegExp(`export (async )?function ${m}\\b|as ${m}\\b`).test(source),
      );
      return { folder: path.dirname(file), methods };
    }),
  );
}

const ODD_SEGMENTS = [
  '%00',
  'a%00b',
  '%ZZ',
  '%ED%A0%80', // a lone surrogate: not valid UTF-8
  '%C3%A9t%C3%A9%E2%80%AE',
  '..%2f..%2fetc%2fpasswd',
  '..%5c..%5cwindows',
  '%252e%252e%252f',
  'x'.repeat(10_000),
  '-1',
  'null',
];
const ODD_QUERIES = [
  '?name=%00',
  '?name=a%00b.png',
  '?name=%ZZ',
  '?name=..%2f..%2fevil.png',
  `?name=${'n'.repeat(10_000)}`,
  '?ids=%00',
  '?ids=%ZZ,%00,',
  `?ids=${Array.from({ length: 300 }, (_, i) => `id${i}`).join(',')}`,
  '?variant=%00',
  '?input=%ZZ',
  '?input=%00',
  '?batch=1&input=%7B%220%22%3A',
];
const ODD_BODIES: [string, string | Buffer][] = [
  ['application/json', '{"ids": ['],
  ['application/json', '\u0000'],
  ['application/json', JSON.stringify({ ids: ['\u0000', '%ZZ', 'x'.repeat(10_000)] })],
  ['application/json', JSON.stringify({ email: 'a\u0000@example.com', password: '\u0000', name: '\u0000' })],
  ['application/json', JSON.stringify({ json: { id: '\u0000' } })],
  ['multipart/form-data; boundary=x', 'garbage'],
  ['application/x-www-form-urlencoded', 'ids=%00&ids=%ZZ'],
  ['text/plain', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
  ['application/octet-stream', Buffer.alloc(0)],
];

/** A value for each dynamic segment that reaches the handler (a real id, a real procedure). */
function normalPath(folder: string): string {
  return `/api/${folder}`
    .replace('[id]', folder.startsWith('jobs') ? jobId : assetId)
    .replace('[trpc]', 'system.status')
    .replace('[...all]', 'sign-in/email');
}

/** The error body each family of routes answers with. */
function hasUsualErrorBody(folder: string, body: string): boolean {
  if (folder.startsWith('auth/')) return true; // better-auth's own shape (or none, for its 404s)
  try {
    const parsed = JSON.parse(body) as { error?: unknown; code?: unknown } | { error?: unknown }[];
    // tRPC: { error } for one call, an array of them for a batch.
    if (folder.startsWith('trpc/')) return [parsed].flat().every((call) => call.error !== undefined);
    return !Array.isArray(parsed) && typeof parsed.error === 'string' && typeof parsed.code === 'string';
  } catch {
    return false;
  }
}

describe('malformed requests to every route handler', () => {
  it('should answer each with a 4xx in the usual error shape (or handle it), never a 500', async () => {
    const routes = await routeHandlers();
    expect(routes.map((r) => r.folder)).toEqual(
      expect.arrayContaining(['upload', 'media/[id]', 'assets/zip', 'jobs/[id]/preview', 'trpc/[trpc]']),
    );
    const problems: string[] = [];
    let sent = 0;
    for (const { folder, methods } of routes) {
      const paths = [
        ...ODD_SEGMENTS.flatMap((odd) =>
          folder.includes('[') ? [`/api/${folder}`.replace(/\[[^\]]+\]/, odd)] : [],
        ),
        ...ODD_QUERIES.map((query) => normalPath(folder) + query),
      ];
      for (const method of methods) {
        const requests = [
          ...paths.map((p) => ({
            path: p,
            body: undefined as string | Buffer | undefined,
            type: undefined as string | undefined,
          })),
          ...(['POST', 'PUT', 'PATCH'].includes(method)
            ? ODD_BODIES.map(([type, body]) => ({ path: `${normalPath(folder)}?name=odd.png`, body, type }))
            : []),
        ];
        for (const { path: p, body, type } of requests) {
          const headers: Record<string, string> = { 'x-api-key': apiKey, origin: server.base };
          if (type) headers['content-type'] = type;
          const answer = await rawRequest(server.base, { method, path: p, headers, body });
          sent++;
          const what = `${method} ${p.slice(0, 80)}${type ? ` (${type})` : ''} → ${answer.status}`;
          if (answer.status >= 500) problems.push(`${what}: ${answer.body.slice(0, 300)}`);
          else if (
            answer.status >= 400 &&
            method !== 'HEAD' &&
            answer.headers['content-type']?.includes('json') &&
            !hasUsualErrorBody(folder, answer.body)
          )
            problems.push(`${what}: unusual error body ${answer.body.slice(0, 200)}`);
        }
      }
    }
    expect(problems, `${problems.length} of ${sent} requests`).toEqual([]);
    expect(sent).toBeGreaterThan(100);
  }, 240_000);

  it('should answer an odd file name by storing a safe name, or refusing it', async () => {
    for (const name of ['%00', 'a%00b.png', '..%2F..%2Fetc%2Fpasswd', 'x'.repeat(3000)]) {
      const response = await fetch(`${server.base}/api/upload?name=${name}`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey },
        body: new Uint8Array(png),
      });
      expect(response.status, name).toBeLessThan(500);
      await response.arrayBuffer();
    }
  }, 60_000);
});

describe('secrets in logs', () => {
  it('should run a job, refuse a wrong password and a revoked key', async () => {
    const status = await vi.waitFor(
      async () => {
        const job = await client.trpc.jobs.get.query({ id: jobId });
        if (job.status !== 'succeeded' && job.status !== 'failed') throw new Error(`job is ${job.status}`);
        return job.status;
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(status).toBe('succeeded');
    const wrong = await authPost(server.base, '/sign-in/email', { email: ada.email, password: GUESS });
    expect(wrong.status).toBe(401);
    const revoked = await fetch(`${server.base}/api/trpc/system.status`, {
      headers: { authorization: `Bearer ${revokedKey}` },
    });
    expect(revoked.status).toBe(401);
  }, 90_000);

  it('should never print a password, key, session token, BETTER_AUTH_SECRET or database password', async () => {
    // Stop both first, so their last lines are in.
    worker.child.kill('SIGTERM');
    await worker.exit;
    await stopNext(server);
    const web = server.output.join('');
    const workerOutput = [...worker.logs.map((line) => JSON.stringify(line)), ...worker.stderr].join('\n');
    // The capture works: both outputs hold this run's lines.
    expect(workerOutput).toContain(jobId);
    expect(web).toContain('Ready in');
    const cookieValue = decodeURIComponent(ada.cookie.slice(ada.cookie.indexOf('=') + 1));
    const secrets = {
      password: PASSWORD,
      'wrong password': GUESS,
      'API key': apiKey,
      'revoked API key': revokedKey,
      'session cookie': cookieValue,
      'session token': cookieValue.split('.')[0] ?? cookieValue,
      BETTER_AUTH_SECRET: AUTH_SECRET,
      'database password': DB_PASSWORD,
    };
    for (const [what, value] of Object.entries(secrets)) {
      expect(value.length, what).toBeGreaterThan(15);
      expect(web.includes(value), `${what} in the web server's output`).toBe(false);
      expect(workerOutput.includes(value), `${what} in the worker's output`).toBe(false);
    }
  }, 60_000);
});
