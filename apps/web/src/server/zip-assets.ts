// A zip of several assets, streamed from disk as it is written (store mode: media is already
// compressed), refused up front when too many or too large so an error is never half a zip.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { type Caller, visibleAssets } from '@visage/api';
import { ZipFile } from 'yazl';
import { downloadName, MAX_BULK_FILES, MAX_ZIP_BYTES } from '@/lib/bulk';
import { formatBytes } from '@/lib/upload';
import { HttpError } from './request-caller.ts';
import { services } from './services.ts';

export async function zipAssets(caller: Caller, requested: string[]): Promise<Response> {
  const ids = [...new Set(requested.filter(Boolean))];
  if (ids.length === 0) throw new HttpError(400, 'Name at least one asset to download', 'EMPTY');
  if (ids.length > MAX_BULK_FILES) {
    throw new HttpError(
      413,
      `A zip may hold up to ${MAX_BULK_FILES} files; ${ids.length} were asked for`,
      'TOO_MANY',
    );
  }
  const { db, media } = await services();
  const assets = await db.asset.findMany({
    where: { id: { in: ids }, ...visibleAssets(caller) },
    select: {
      id: true,
      mime: true,
      bytes: true,
      storageKey: true,
      createdAt: true,
      jobs: { where: { role: 'output' }, select: { job: { select: { plugin: true } } }, take: 1 },
    },
  });
  // Someone else's asset reads as missing, as on /api/media.
  const missing = ids.find((id) => !assets.some((a) => a.id === id));
  if (missing) throw new HttpError(404, `Asset ${missing} not found`, 'NOT_FOUND');
  const total = assets.reduce((sum, a) => sum + Number(a.bytes), 0);
  if (total > MAX_ZIP_BYTES) {
    throw new HttpError(
      413,
      `The files come to ${formatBytes(total)}; a zip may hold up to ${formatBytes(MAX_ZIP_BYTES)}. Download fewer at once.`,
      'TOO_LARGE',
    );
  }

  const zip = new ZipFile();
  // Keep the order asked for (the gallery's), and the real sizes, which yazl needs for Content-Length.
  for (const id of ids) {
    const asset = assets.find((a) => a.id === id);
    if (!asset) continue;
    const path = media.absolutePath(asset.storageKey);
    const { size } = await stat(path);
    const name = downloadName({ ...asset, plugin: asset.jobs[0]?.job.plugin ?? null });
    zip.addReadStreamLazy(name, { size, compress: false, mtime: asset.createdAt }, (cb) =>
      cb(null, createReadStream(path)),
    );
  }
  const length = await new Promise<number>((resolve) => zip.end(undefined, resolve as () => void));
  const stamp = new Date().toISOString().slice(0, 10);
  const headers = new Headers({
    'content-type': 'application/zip',
    'content-disposition': `attachment; filename="visage-${stamp}-${ids.length}-files.zip"`,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
  });
  if (length > 0) headers.set('content-length', String(length));
  const body = Readable.toWeb(zip.outputStream as Readable) as ReadableStream<Uint8Array>;
  return new Response(body, { headers });
}
