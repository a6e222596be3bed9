import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { parseRange } from '@visage/db/media';
import { log } from './logger.ts';
import { HttpError } from './request-caller.ts';

/**
 * Streams a file with HTTP Range support (video scrubbing): 206 for a satisfiable range, 416 for
 * one past the end, 200 with the whole file otherwise (no Range, or one that is malformed: RFC 9110
 * §14.2 lets a server ignore it). See docs/security.md §9.
 */
export async function serveFile(
  request: Request,
  path: string,
  mime: string,
  cache: string,
): Promise<Response> {
  const { size } = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    // The row is there but its file is not (removed by hand, a restored backup): say so, and log it.
    log().error({ err: error }, 'a media file named by the database is missing');
    throw new HttpError(404, 'The file is missing from the media folder', 'FILE_MISSING');
  });
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
