// Answers the studio's requests for a face swap target's faces (face mapping, docs/architecture.md
// §8.2, docs/models/face.md §8.5): the web process runs no models, so it queues the request and a
// worker with face swap finds the faces with its ModelManager. Bad input (not an image or video, a
// frame past the end, an asset that is gone) is an answer; anything else fails the request.
import type { Db } from '@visage/db';
import { TARGET_FACES_QUEUE, type TargetFacesAnswer, type TargetFacesRequest } from '@visage/db/jobs';
import type { MediaStore } from '@visage/db/media';
import type { ModelLease } from '@visage/inference';
import { findTargetFaces, PluginInputError } from '@visage/plugins';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { inputAssetOf } from './input-asset.ts';
import type { Logger } from './logger.ts';

export interface TargetFacesDeps {
  db: Db;
  media: MediaStore;
  models: { acquire(id: string): Promise<ModelLease> };
  log: Logger;
}

/** One request: the faces of the asset (or its frame), thumbnails in base64. */
export async function answerTargetFaces(
  deps: TargetFacesDeps,
  request: TargetFacesRequest,
  signal: AbortSignal,
): Promise<TargetFacesAnswer> {
  const row = await deps.db.asset.findUnique({ where: { id: request.assetId } });
  if (!row) return { ok: false, message: `Asset ${request.assetId} not found` };
  try {
    const found = await findTargetFaces((id) => deps.models.acquire(id), inputAssetOf(row, deps.media), {
      frame: request.frame ?? 0,
      signal,
    });
    return {
      ok: true,
      result: {
        ...found,
        faces: found.faces.map((face) => ({
          box: face.box,
          score: face.score,
          thumbnail: Buffer.from(face.thumbnail).toString('base64'),
        })),
      },
    };
  } catch (error) {
    if (error instanceof PluginInputError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Consumes the faces queue until closed; requests in flight are aborted on close. */
export function startTargetFacesWorker(
  deps: TargetFacesDeps,
  redis: { connection: Redis; prefix: string },
  { concurrency = 2 }: { concurrency?: number } = {},
) {
  const closing = new AbortController();
  const worker = new Worker<TargetFacesRequest, TargetFacesAnswer>(
    TARGET_FACES_QUEUE,
    async (job) => {
      const started = performance.now();
      const answer = await answerTargetFaces(deps, job.data, closing.signal);
      deps.log.debug(
        {
          assetId: job.data.assetId,
          frame: job.data.frame,
          faces: answer.ok ? answer.result.faces.length : null,
          refused: answer.ok ? null : answer.message,
          ms: Math.round(performance.now() - started),
        },
        'found the faces of a target',
      );
      return answer;
    },
    { connection: redis.connection, prefix: redis.prefix, concurrency },
  );
  worker.on('failed', (job, error) =>
    deps.log.warn({ err: error, assetId: job?.data.assetId }, 'could not find the faces of a target'),
  );
  worker.on('error', (error) =>
    deps.log.error({ err: error, queue: TARGET_FACES_QUEUE }, 'queue worker error'),
  );
  return {
    queue: TARGET_FACES_QUEUE,
    async close() {
      closing.abort(new Error('the worker is shutting down'));
      await worker.close();
    },
  };
}
