// Model downloads and the network they may reach (docs/security.md §3): URLs and redirects to
// loopback, link-local and private addresses are refused — literal addresses and names resolving to
// them — unless the host is allowed; a server sending more than the catalog's size is cut off while
// streaming; a wrong checksum leaves no file. The mirror is a loopback server on 127.0.0.2, allowed
// explicitly, which redirects elsewhere; a second server on 127.0.0.1 must never be contacted.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadModel } from '../src/models/download.ts';
import { ChecksumError } from '../src/models/errors.ts';
import { allowedPrivateHosts, isPrivateAddress } from '../src/models/http.ts';

const FILE = randomBytes(64 * 1024 + 7);
const SHA = createHash('sha256').update(FILE).digest('hex');
const MIRROR_HOST = '127.0.0.2';

let mirror: http.Server;
let mirrorBase: string;
let victim: http.Server;
let victimBase: string;
let victimHits = 0;
/** Bytes the endless route wrote before the client went away. */
let endlessSent = 0;
let endlessClosed: Promise<void>;
let dir: string;

async function listen(server: http.Server, host: string): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'visage-ssrf-'));
  victim = http.createServer((_req, res) => {
    victimHits++;
    res.writeHead(200, { 'content-length': FILE.length }).end(FILE);
  });
  victimBase = await listen(victim, '127.0.0.1');
  const victimPort = new URL(victimBase).port;
  const redirects: Record<string, string> = {
    '/to-loopback': `${victimBase}/model.onnx`,
    '/to-localhost': `http://localhost:${victimPort}/model.onnx`,
    '/to-ipv6-loopback': `http://[::1]:${victimPort}/model.onnx`,
    '/to-mapped-loopback': `http://[::ffff:127.0.0.1]:${victimPort}/model.onnx`,
    '/to-private': 'http://10.0.0.1/model.onnx',
    '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
    '/to-cgnat': 'http://100.64.0.1/model.onnx',
    '/to-unspecified': `http://0.0.0.0:${victimPort}/model.onnx`,
  };
  let closed: () => void = () => undefined;
  endlessClosed = new Promise((resolve) => {
    closed = resolve;
  });
  mirror = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const target = redirects[pathname];
    if (target) return res.writeHead(302, { location: target }).end();
    if (pathname === '/model.onnx') return res.writeHead(200, { 'content-length': FILE.length }).end(FILE);
    if (pathname === '/endless') {
      // Chunked, no length announced, never ends: only the client can stop it.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = randomBytes(16 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) endlessSent += chunk.length;
      };
      res.on('drain', pump);
      res.on('close', closed);
      return pump();
    }
    res.writeHead(404).end();
  });
  mirrorBase = await listen(mirror, MIRROR_HOST);
});

afterAll(async () => {
  for (const server of [mirror, victim]) {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  await rm(dir, { recursive: true, force: true });
});

const source = (url: string, sha256: string | null = SHA, bytes: number | null = FILE.length) => ({
  file: 'model.onnx',
  urls: [url],
  sha256,
  bytes,
});
const pull = (url: string, allow: string[] = [MIRROR_HOST], src = source(url)) =>
  downloadModel(src, path.join(dir, randomBytes(4).toString('hex')), {
    retries: 0,
    allowPrivateHosts: allow,
  });

describe('model downloads and private addresses', () => {
  it('should classify loopback, private, link-local, CGNAT and unique-local addresses as private', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:127.0.0.1',
      '::ffff:10.1.2.3',
    ])
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    for (const address of ['8.8.8.8', '140.82.112.3', '2606:4700::1111', '::ffff:1.1.1.1'])
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    expect(allowedPrivateHosts({ VISAGE_MODEL_ALLOW_PRIVATE_HOSTS: ' Mirror.lan, [::1] ,' })).toEqual([
      'mirror.lan',
      '::1',
    ]);
  });

  it('should download from an allowed private host', async () => {
    const result = await pull(`${mirrorBase}/model.onnx`);
    expect(result.sha256).toBe(SHA);
  });

  it('should refuse a private address that is not allowed, before connecting', async () => {
    await expect(pull(`${victimBase}/model.onnx`, [MIRROR_HOST])).rejects.toThrow(
      /^Refusing to download from http:\/\/127\.0\.0\.1:\d+\/model\.onnx: 127\.0\.0\.1 is a loopback, link-local or private address\. Allow the host with VISAGE_MODEL_ALLOW_PRIVATE_HOSTS/,
    );
    await expect(pull(`${mirrorBase}/model.onnx`, [])).rejects.toThrow(/127\.0\.0\.2 is a loopback/);
    expect(victimHits).toBe(0);
  });

  it.for([
    ['/to-loopback', /127\.0\.0\.1 is a loopback/],
    [
      '/to-localhost',
      /localhost is a loopback, link-local or private address \(it resolves to (127\.0\.0\.1|::1)\)/,
    ],
    ['/to-ipv6-loopback', /::1\] is a loopback|::1 is a loopback/],
    ['/to-mapped-loopback', /is a loopback/],
    ['/to-private', /10\.0\.0\.1 is a loopback/],
    ['/to-metadata', /169\.254\.169\.254 is a loopback/],
    ['/to-cgnat', /100\.64\.0\.1 is a loopback/],
    ['/to-unspecified', /0\.0\.0\.0 is a loopback/],
  ] as const)('should refuse a redirect %s', async ([route, message]) => {
    const before = victimHits;
    await expect(pull(`${mirrorBase}${route}`)).rejects.toThrow(message);
    expect(victimHits).toBe(before);
  });

  it('should cut off a server that sends more than the catalog size, while streaming, and keep nothing', async () => {
    const target = path.join(dir, 'endless');
    await expect(
      downloadModel(source(`${mirrorBase}/endless`), target, {
        retries: 0,
        allowPrivateHosts: [MIRROR_HOST],
      }),
    ).rejects.toThrow(
      new RegExp(
        `sent more than the ${FILE.length} bytes expected for model\\.onnx; stopped and discarded it`,
      ),
    );
    await endlessClosed; // the connection was closed by the client, not by the server ending
    expect(await readdir(target)).toEqual([]);
    // What the server managed to write is bounded by socket buffers, not by the (endless) body.
    expect(endlessSent).toBeLessThan(16 * 1024 * 1024);
  });

  it('should remove the file and name both checksums when the sha256 does not match', async () => {
    const wrong = 'a'.repeat(64);
    const target = path.join(dir, 'mismatch');
    const attempt = downloadModel(source(`${mirrorBase}/model.onnx`, wrong), target, {
      retries: 0,
      allowPrivateHosts: [MIRROR_HOST],
    });
    await expect(attempt).rejects.toBeInstanceOf(ChecksumError);
    await expect(attempt).rejects.toThrow(new RegExp(`${wrong}.*${SHA}|${SHA}.*${wrong}`));
    expect(existsSync(path.join(target, 'model.onnx'))).toBe(false);
    expect(existsSync(path.join(target, 'model.onnx.part'))).toBe(false);
  });
});
