// One HTTP(S) GET that follows redirects, for the downloader. node:http rather than fetch, so the
// body is a plain stream with back-pressure, redirects are counted by us (limit 5) and the Range
// header survives them (GitHub release assets redirect to a CDN that honours it).
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A failure of the connection itself (refused, reset, timed out, cut short): worth retrying. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export interface GetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Give up when the socket is silent this long. */
  idleTimeoutMs: number;
}

export interface GetResponse {
  response: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: string;
}

function requestOnce(url: URL, options: GetOptions): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
  if (!client) return Promise.reject(new Error(`Unsupported URL protocol in ${url.href}`));
  return new Promise((resolve, reject) => {
    const request = client.get(url, {
      headers: { 'user-agent': 'visage-models', 'accept-encoding': 'identity', ...options.headers },
      signal: options.signal,
    });
    request.setTimeout(options.idleTimeoutMs, () =>
      request.destroy(new NetworkError(`${url.href} sent nothing for ${options.idleTimeoutMs} ms`)),
    );
    request.once('response', resolve);
    request.on('error', (error) =>
      reject(
        options.signal?.aborted || error instanceof NetworkError
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
