// GET /api/media/<asset id>[?variant=thumbnail] — the asset's bytes, to its owner and their team.
// Media is addressed by asset id only; the path on disk comes from the database row.
import { visibleAssets } from '@visage/api';
import { recordId } from '@/server/record-id';
import { errorResponse, HttpError, requireCaller } from '@/server/request-caller';
import { serveFile } from '@/server/serve-file';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

async function handle(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  try {
    const caller = await requireCaller(request);
    const id = recordId((await params).id, 'asset');
    const { db, media } = await services();
    const asset = await db.asset.findFirst({ where: { id, ...visibleAssets(caller) } });
    if (!asset) throw new HttpError(404, `Asset ${id} not found`, 'NOT_FOUND');
    const variant = new URL(request.url).searchParams.get('variant');
    if (variant !== null && variant !== 'thumbnail')
      throw new HttpError(
        400,
        'The only variant is "thumbnail" (or none, for the file itself)',
        'BAD_REQUEST',
      );
    const thumbnail = variant === 'thumbnail';
    if (thumbnail && !asset.thumbnailKey)
      throw new HttpError(404, `Asset ${id} has no thumbnail`, 'NOT_FOUND');
    const key = thumbnail && asset.thumbnailKey ? asset.thumbnailKey : asset.storageKey;
    // Content-addressed files never change, so browsers may keep them.
    return await serveFile(
      request,
      media.absolutePath(key),
      thumbnail ? 'image/webp' : asset.mime,
      'private, max-age=31536000, immutable',
    );
  } catch (error) {
    return errorResponse(error);
  }
}

export { handle as GET, handle as HEAD };
