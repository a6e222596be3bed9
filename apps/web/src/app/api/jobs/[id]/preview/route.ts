// GET /api/jobs/<job id>/preview — the latest preview frame a running job produced.
import { visibleJobs } from '@visage/api';
import { jobPreviewKey } from '@visage/db/jobs';
import { recordId } from '@/server/record-id';
import { errorResponse, HttpError, requireCaller } from '@/server/request-caller';
import { serveFile } from '@/server/serve-file';
import { services } from '@/server/services';

export const dynamic = 'force-dynamic';

export async function GET(
  request: Request,
  { params }: { params: Promise<{ id: string }> },
): Promise<Response> {
  try {
    const caller = await requireCaller(request);
    const id = recordId((await params).id, 'job');
    const { db, media } = await services();
    const job = await db.job.findFirst({
      where: { id, ...visibleJobs(caller) },
      select: { id: true, previewVersion: true },
    });
    if (!job) throw new HttpError(404, `Job ${id} not found`, 'NOT_FOUND');
    if (job.previewVersion === 0) throw new HttpError(404, `Job ${id} has no preview yet`, 'NOT_FOUND');
    return await serveFile(
      request,
      media.absolutePath(jobPreviewKey(job.id)),
      'image/webp',
      'private, no-cache',
    );
  } catch (error) {
    return errorResponse(error);
  }
}
