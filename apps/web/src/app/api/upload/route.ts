// POST /api/upload?name=<file name>   body: the file's bytes (streamed; never held in memory)
// → 201 with the new asset, or a 4xx JSON { error, code } naming the problem.
import type { UploadedAsset } from '@visage/api/client';
import { assetUrls } from '@visage/api/urls';
import { cleanFileName, createAsset, MediaError } from '@visage/db/media';
import { uploadBody } from '@/server/request-body';
import { errorResponse, HttpError, requireCaller } from '@/server/request-caller';
import { refuseCrossSite } from '@/server/same-origin';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  const body = uploadBody(request);
  try {
    refuseCrossSite(request);
    const caller = await requireCaller(request);
    const { db, media } = await services();
    if (!body) throw new HttpError(400, 'The request has no body: send the file as the body', 'EMPTY');
    const originalName = cleanFileName(new URL(request.url).searchParams.get('name'));
    const declared = Number(request.headers.get('content-length'));
    let stored: Awaited<ReturnType<typeof media.ingest>>;
    try {
      stored = await media.ingest(body.chunks, {
        originalName,
        declaredBytes: Number.isFinite(declared) && declared > 0 ? declared : undefined,
      });
    } catch (error) {
      if (error instanceof MediaError) throw new HttpError(error.status, error.message, error.code);
      throw error;
    }
    const asset = await createAsset(db, stored, {
      ownerId: caller.userId,
      kind: 'upload',
      originalName,
      store: media,
    });
    return Response.json(
      {
        id: asset.id,
        mime: asset.mime,
        bytes: Number(asset.bytes),
        width: asset.width,
        height: asset.height,
        durationMs: asset.durationMs,
        ...assetUrls(asset.id, asset.thumbnailKey !== null),
      } satisfies UploadedAsset,
      { status: 201 },
    );
  } catch (error) {
    const response = errorResponse(error);
    // Let the client finish sending so it reads this answer; if it would take too long, close
    // the connection (and say so, so the client does not reuse it).
    if (!(await body?.discardRest())) response.headers.set('connection', 'close');
    return response;
  }
}
