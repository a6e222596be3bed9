// One HTTP(S) GET that follows redirects, for the downloader. node:http rather than fetch, so the
// body is a plain stream with back-pressure, redirects are counted by us (limit 5) and the Range
// header survives them (GitHub release assets redirect to a CDN that honours it).
// Every hop is checked against private addresses (SSRF, docs/security.md §3): the literal address, and
// for a name every address it resolves to, at connection time (a custom `lookup`), so a name that
// resolves to a public address when checked and a private one when used cannot slip through.
import dns, { type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import net from 'node:net';

export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A failure of the connection itself (refused, reset, timed out, cut short): worth retrying. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** The URL (or a redirect) leads to a loopback, link-local or private address that is not allowed. */
export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
}

/** Loopback, private (RFC 1918, unique-local), link-local, CGNAT, unspecified, multicast, reserved. */
const PRIVATE = new net.BlockList();
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3], // multicast, reserved and broadcast
] as const)
  PRIVATE.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: maps onto IPv4, private ones included
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(address, prefix, 'ipv6');

/** Whether an IP address is one a model download may not reach (IPv4-mapped IPv6 checked as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = net.isIP(address);
  if (family === 0) return true; // not an address at all: refuse rather than guess
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Hosts a download may reach even on a private address, from VISAGE_MODEL_ALLOW_PRIVATE_HOSTS
 * (comma-separated host names or addresses, e.g. a LAN mirror; the tests' loopback mirrors).
 */
export function allowedPrivateHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.VISAGE_MODEL_ALLOW_PRIVATE_HOSTS ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter(Boolean);
}

const blocked = (url: URL, address: string) =>
  new BlockedAddressError(
    `Refusing to download from ${url.href}: ${url.hostname} is a loopback, link-local or private address` +
      `${address === url.hostname.replace(/^\[|\]$/g, '') ? '' : ` (it resolves to ${address})`}. ` +
      'Allow the host with VISAGE_MODEL_ALLOW_PRIVATE_HOSTS if it is your own mirror.',
  );

/** dns.lookup that refuses names resolving to a private address; `http.get` calls it when it connects. */
function guardedLookup(url: URL): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const bad = addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(blocked(url, bad.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Give up when the socket is silent this long. */
  idleTimeoutMs: number;
  /** Hosts that may be on private addresses (default: allowedPrivateHosts()). */
  allowPrivateHosts?: readonly string[];
}

export interface GetResponse {
  response: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: string;
}

function requestOnce(url: URL, options: GetOptions): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
  if (!client) return Promise.reject(new Error(`Unsupported URL protocol in ${url.href}`));
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const allowed = (options.allowPrivateHosts ?? allowedPrivateHosts()).includes(host);
  // An address literal is never looked up, so it is checked here; a name when it is resolved.
  if (!allowed && net.isIP(host) !== 0 && isPrivateAddress(host)) return Promise.reject(blocked(url, host));
  return new Promise((resolve, reject) => {
    const request = client.get(url, {
      headers: { 'user-agent': 'visage-models', 'accept-encoding': 'identity', ...options.headers },
      signal: options.signal,
      ...(allowed ? {} : { lookup: guardedLookup(url) }),
    });
    request.setTimeout(options.idleTimeoutMs, () =>
      request.destroy(new NetworkError(`${url.href} sent nothing for ${options.idleTimeoutMs} ms`)),
    );
    request.once('response', resolve);
    request.on('error', (error) =>
      reject(
        options.signal?.aborted || error instanceof NetworkError || error instanceof BlockedAddressError
          ? error
          : new NetworkError(`GET ${url.href} failed: ${error.message}`, { cause: error }),
      ),
    );
  });
}

/** GET `url`, following at most MAX_REDIRECTS redirects; the caller handles the final status. */
export async function get(url: string, options: GetOptions): Promise<GetResponse> {
  let current = new URL(url);
  for (let hops = 0; ; hops++) {
    const response = await requestOnce(current, options);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || !location) return { response, url: current.href };
    response.resume(); // discard the redirect's body so the socket is freed
    if (hops >= MAX_REDIRECTS) {
      throw new Error(`GET ${url} failed: more than ${MAX_REDIRECTS} redirects (last: ${current.href})`);
    }
    current = new URL(location, current);
  }
}
