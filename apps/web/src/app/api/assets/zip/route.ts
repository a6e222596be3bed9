// GET /api/assets/zip?ids=<id>,<id>…  or  POST with JSON { ids: [...] } or a form with `ids` fields
// → a zip of those assets (each must be readable by the caller), or a 4xx JSON { error, code }.
// The gallery submits a form: the browser then streams the download itself, however large.
import { errorResponse, HttpError, requireCaller } from '@/server/request-caller';
import { zipAssets } from '@/server/zip-assets';

export const dynamic = 'force-dynamic';

const split = (values: string[]) => values.flatMap((v) => v.split(',')).map((v) => v.trim());

export async function GET(request: Request): Promise<Response> {
  try {
    const caller = await requireCaller(request);
    return await zipAssets(caller, split(new URL(request.url).searchParams.getAll('ids')));
  } catch (error) {
    return errorResponse(error);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const caller = await requireCaller(request);
    let ids: string[];
    if (request.headers.get('content-type')?.includes('application/json')) {
      const body = (await request.json().catch(() => null)) as { ids?: unknown } | null;
      if (!Array.isArray(body?.ids) || !body.ids.every((id) => typeof id === 'string'))
        throw new HttpError(400, 'Send { "ids": ["<asset id>", …] }', 'BAD_REQUEST');
      ids = body.ids;
    } else {
      ids = split((await request.formData()).getAll('ids').map(String));
    }
    return await zipAssets(caller, ids);
  } catch (error) {
    return errorResponse(error);
  }
}
