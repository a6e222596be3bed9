// POST /api/upload?name=<file name>   body: the file's bytes (streamed; never held in memory)
// → 201 with the new asset, or a 4xx JSON { error, code } naming the problem.
import { createAsset, MediaError } from '@visage/db/media';
import { errorResponse, HttpError, requireCaller } from '@/server/request-caller';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  try {
    const caller = await requireCaller(request);
    const { db, media } = await services();
    if (!request.body)
      throw new HttpError(400, 'The request has no body: send the file as the body', 'EMPTY');
    const originalName = new URL(request.url).searchParams.get('name')?.slice(0, 255) || undefined;
    const declared = Number(request.headers.get('content-length'));
    let stored: Awaited<ReturnType<typeof media.ingest>>;
    try {
      stored = await media.ingest(request.body, {
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
        url: `/api/media/${asset.id}`,
        thumbnailUrl: asset.thumbnailKey ? `/api/media/${asset.id}?variant=thumbnail` : null,
      },
      { status: 201 },
    );
  } catch (error) {
    const response = errorResponse(error);
    // The rest of a refused upload was never read: tell the client not to reuse this connection
    // (it would otherwise send its next request into a socket the server is closing).
    response.headers.set('connection', 'close');
    return response;
  }
}
