// The typed client for scripts: `createVisageClient({ url, apiKey })` gives the same tRPC API the
// web UI uses, plus upload and download helpers for media.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import superjson from 'superjson';
import type { AppRouter } from './root.ts';
import { mediaUrl } from './urls.ts';

export type { AppRouter } from './root.ts';

export interface VisageClientOptions {
  /** Where Visage runs, e.g. http://localhost:3000 */
  url: string;
  /** An API key from Settings → API keys. */
  apiKey: string;
}

export interface UploadedAsset {
  id: string;
  mime: string;
  bytes: number;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  url: string;
  thumbnailUrl: string | null;
}

/**
 * A tRPC client for Visage at `url` that sends `headers` with every call and subscription
 * (an API key's Authorization header, or a session cookie plus Origin as a browser would).
 */
export function createVisageTrpc(url: string, headers: Record<string, string>) {
  const endpoint = `${url.replace(/\/$/, '')}/api/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // Node 20 has no EventSource; eventsource@4 takes a fetch, through which the headers go.
        true: httpSubscriptionLink({
          url: endpoint,
          transformer: superjson,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, ...headers } }),
          }),
        }),
        false: httpBatchLink({ url: endpoint, transformer: superjson, headers }),
      }),
    ],
  });
}

export function createVisageClient({ url, apiKey }: VisageClientOptions) {
  const base = url.replace(/\/$/, '');
  const authorization = `Bearer ${apiKey}`;
  const trpc = createVisageTrpc(base, { authorization });

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(`${base}${path}`, { ...init, headers: { ...init.headers, authorization } });
    if (!response.ok) {
      const body = await response.text();
      let message = body;
      try {
        message = (JSON.parse(body) as { error?: string }).error ?? body;
      } catch {
        // not JSON: keep the text
      }
      throw new Error(`${init.method ?? 'GET'} ${path} failed with ${response.status}: ${message}`);
    }
    return response;
  }

  return {
    trpc,
    /** Uploads a file (streamed, not read into memory) and returns the new asset. */
    async upload(filePath: string): Promise<UploadedAsset> {
      const { size } = await stat(filePath);
      const response = await request(`/api/upload?name=${encodeURIComponent(basename(filePath))}`, {
        method: 'POST',
        headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
        body: Readable.toWeb(createReadStream(filePath)) as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit);
      return (await response.json()) as UploadedAsset;
    },
    /** The bytes of an asset (an output, usually). */
    async download(assetId: string): Promise<{ data: Uint8Array; mime: string }> {
      const response = await request(mediaUrl(assetId));
      return {
        data: new Uint8Array(await response.arrayBuffer()),
        mime: response.headers.get('content-type') ?? '',
      };
    },
  };
}

export type VisageClient = ReturnType<typeof createVisageClient>;
