import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseRange } from '@visage/db/media';

/**
 * Streams a file with HTTP Range support (video scrubbing): 206 for a satisfiable range, 416 for
 * one past the end, 200 with the whole file otherwise.
 */
export async function serveFile(
  request: Request,
  path: string,
  mime: string,
  cache: string,
): Promise<Response> {
  const { size } = await stat(path);
  const headers = new Headers({
    'content-type': mime,
    'accept-ranges': 'bytes',
    'cache-control': cache,
    'x-content-type-options': 'nosniff',
  });
  const range = parseRange(request.headers.get('range'), size);
  if (range === 'unsatisfiable') {
    headers.set('content-range', `bytes */${size}`);
    return new Response(
      JSON.stringify({ error: `Range starts past the end of the ${size}-byte file`, code: 'RANGE' }),
      {
        status: 416,
        headers,
      },
    );
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  headers.set('content-length', String(end - start + 1));
  if (range) headers.set('content-range', `bytes ${start}-${end}/${size}`);
  if (request.method === 'HEAD') return new Response(null, { status: range ? 206 : 200, headers });
  const body = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status: range ? 206 : 200, headers });
}
