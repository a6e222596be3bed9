// GET /api/assets/zip?ids=<id>,<id>…  or  POST with JSON { ids: [...] } or a form with `ids` fields
// → a zip of those assets (each must be readable by the caller), or a 4xx JSON { error, code }.
// The gallery submits a form: the browser then streams the download itself, however large.
import { recordId } from '@/server/record-id';
import { errorResponse, HttpError, requireCaller } from '@/server/request-caller';
import { refuseCrossSite } from '@/server/same-origin';
import { zipAssets } from '@/server/zip-assets';

export const dynamic = 'force-dynamic';

const split = (values: string[]) =>
  values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)
    .map((id) => recordId(id, 'asset'));

/** The `ids` fields of a form; a body that is no form is the client's mistake, not a 500. */
async function formIds(request: Request): Promise<string[]> {
  const form = await request.formData().catch(() => {
    throw new HttpError(400, 'Send the ids as form fields or as JSON { "ids": [...] }', 'BAD_REQUEST');
  });
  return split(form.getAll('ids').map(String));
}

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
    refuseCrossSite(request);
    const caller = await requireCaller(request);
    let ids: string[];
    if (request.headers.get('content-type')?.includes('application/json')) {
      const body = (await request.json().catch(() => null)) as { ids?: unknown } | null;
      if (!Array.isArray(body?.ids) || !body.ids.every((id) => typeof id === 'string'))
        throw new HttpError(400, 'Send { "ids": ["<asset id>", …] }', 'BAD_REQUEST');
      ids = body.ids.map((id) => recordId(id, 'asset'));
    } else {
      ids = await formIds(request);
    }
    return await zipAssets(caller, ids);
  } catch (error) {
    return errorResponse(error);
  }
}
