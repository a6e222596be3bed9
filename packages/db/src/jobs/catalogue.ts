// What goes on the BullMQ queues: queue names and payload types, shared by the producer (api) and the
// consumer (worker) so neither spells a name or a payload on its own (docs/architecture.md §8.2).

/** BullMQ queue of a plugin; one per plugin so a GPU box can serve only some of them. */
export type PluginQueueName = `jobs-${string}`;

export const pluginQueueName = (plugin: string): PluginQueueName => `jobs-${plugin}`;

/** A plugin job's payload: the id of its row, which holds everything else (docs/architecture.md §8.1). */
export interface PluginJobData {
  jobId: string;
}

/** The BullMQ job that runs one job row: its name, payload and options (`Queue.add(name, data, opts)`). */
export function pluginQueueJob(plugin: string, jobId: string) {
  return {
    name: plugin,
    data: { jobId } satisfies PluginJobData,
    opts: {
      // The BullMQ job id is the database id, so cancel and the worker find it by that id. No
      // `attempts`: BullMQ runs a job once; recovery after a crash is the stall check (§8.9).
      jobId,
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    },
  };
}

/**
 * Consumer options every plugin queue's Worker uses: a job whose worker crashed is run again once,
 * a second stall fails it (docs/architecture.md §8.9).
 */
export const PLUGIN_WORKER_OPTIONS = { maxStalledCount: 1 } as const;

/**
 * The queue on which the studio asks a worker for the faces of a face swap's target, to map them to
 * source photos (docs/architecture.md §8.2, docs/models/face.md §8.5). A request, not a job row: the
 * web process waits for the answer, which is kept only briefly.
 */
export const TARGET_FACES_QUEUE = 'faces-target';

/** Workers that serve this plugin consume the faces queue. */
export const TARGET_FACES_PLUGIN = 'faceswap';

/** What the studio asks: the faces of an asset (an image, or frame `frame` of a video). */
export interface TargetFacesRequest {
  assetId: string;
  /** Videos: the frame to look at (0 when null). */
  frame: number | null;
}

/** One face the worker found: its box, detector score and a square JPEG thumbnail (base64). */
export interface TargetFacesFace {
  box: [number, number, number, number];
  score: number;
  thumbnail: string;
}

/** The faces of the asset (or of its frame `frame`), left to right. */
export interface TargetFacesResult {
  width: number;
  height: number;
  frame: number | null;
  frameCount: number | null;
  fps: number | null;
  faces: TargetFacesFace[];
}

/**
 * The worker's answer (the BullMQ job's return value): the faces, or why the request is wrong (not
 * an image or video, a frame past the end, an asset that is gone). Other failures fail the job.
 */
export type TargetFacesAnswer = { ok: true; result: TargetFacesResult } | { ok: false; message: string };

/** Answers and failures are fetched at once by the waiting web process; keep them this long at most. */
export const TARGET_FACES_KEEP_S = 60;

/**
 * The faces queue's event stream holds each answer (thumbnails included): trim it short, not to
 * BullMQ's 10,000 events.
 */
export const TARGET_FACES_QUEUE_OPTIONS = { streams: { events: { maxLen: 200 } } } as const;

/** The BullMQ job of one request (`Queue.add(name, data, opts)`). */
export function targetFacesQueueJob(request: TargetFacesRequest) {
  return {
    name: 'target-faces',
    data: request satisfies TargetFacesRequest,
    opts: {
      removeOnComplete: { age: TARGET_FACES_KEEP_S },
      removeOnFail: { age: TARGET_FACES_KEEP_S },
    },
  };
}
