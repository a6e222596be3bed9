// The RunContext a plugin gets: progress that reaches the database, BullMQ and SSE subscribers
// (throttled; written through the job repository), previews, input files and output assets.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '@visage/db';
import { type JobRepository, jobPreviewKey } from '@visage/db/jobs';
import { type MediaStore, newAssetId, type StagedOutput } from '@visage/db/media';
import type { SelectedDevice } from '@visage/device';
import type { ModelManager } from '@visage/inference';
import type { Preview, RunContext } from '@visage/plugins';
import sharp from 'sharp';
import { inputAssetOf } from '../input-asset.ts';
import type { Logger } from '../logger.ts';

/** At least this many milliseconds between two progress writes of one job (at most 4 a second). */
const PROGRESS_INTERVAL_MS = 250;

export interface RunContextDeps {
  device: SelectedDevice;
  models: ModelManager;
  /** Input links and output assets. */
  db: Db;
  /** Progress writes (and their events). */
  jobs: JobRepository;
  media: MediaStore;
  log: Logger;
  /** BullMQ's progress for the job (shown by queue tools). */
  reportQueueProgress(fraction: number): Promise<void>;
}

export interface JobRunContext extends RunContext {
  /** Writes any progress still waiting for its throttle slot. */
  flush(): Promise<void>;
  metadata(): Record<string, unknown>;
  /** Providers the job's models ran on. */
  providers(): string[];
  /** The outputs written so far, staged until the job's `succeed` commits them (§9.5). */
  staged(): StagedOutput[];
}

export function createRunContext(
  deps: RunContextDeps,
  /** `attempts`: the run's claim, which its progress writes carry (docs/reliability.md §1). */
  job: { id: string; ownerId: string; organizationId: string | null; attempts?: number },
  signal: AbortSignal,
): JobRunContext {
  const { db, log } = deps;
  let pending: { fraction: number; stage: string; preview?: Preview } | undefined;
  let lastWrite = 0;
  let timer: NodeJS.Timeout | undefined;
  let writes: Promise<void> = Promise.resolve(); // one write at a time, in order
  const metadata: Record<string, unknown> = {};
  // Which model ran on which provider, for the job's metadata and its `provider` column.
  const modelsUsed = new Map<string, string>();
  const staged: StagedOutput[] = [];

  const write = async () => {
    const update = pending;
    pending = undefined;
    if (!update) return;
    lastWrite = Date.now();
    if (update.preview) {
      const webp = await sharp(update.preview.data).resize(512, 512, { fit: 'inside' }).webp().toBuffer();
      const file = deps.media.absolutePath(jobPreviewKey(job.id));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, webp);
    }
    const written = await deps.jobs.progress(job.id, {
      fraction: update.fraction,
      stage: update.stage,
      preview: update.preview !== undefined,
      attempt: job.attempts,
    });
    if (!written.ok) {
      // The row ended elsewhere meanwhile (a queue failure, the owner's cancel after a stall).
      log.info(
        { jobId: job.id, status: written.refused.status },
        'progress not recorded: job is no longer running',
      );
      return;
    }
    await deps.reportQueueProgress(update.fraction);
  };
  const schedule = () => {
    writes = writes.then(write).catch((error: unknown) => {
      // Progress is advisory: a failed write is logged and the job goes on (the next one may work).
      log.warn({ err: error, jobId: job.id }, 'could not record job progress');
    });
    return writes;
  };

  return {
    jobId: job.id,
    signal,
    log: log.child({ jobId: job.id }),
    progress(fraction, stage, preview) {
      const keepPreview = preview ?? pending?.preview; // a throttled preview is not dropped
      pending = { fraction: Math.min(1, Math.max(0, fraction)), stage, preview: keepPreview };
      if (timer) return;
      const wait = Math.max(0, lastWrite + PROGRESS_INTERVAL_MS - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        void schedule();
      }, wait);
    },
    async flush() {
      clearTimeout(timer);
      timer = undefined;
      await schedule();
    },
    record(values) {
      Object.assign(metadata, values);
    },
    metadata: () => ({ ...metadata, ...(modelsUsed.size ? { models: Object.fromEntries(modelsUsed) } : {}) }),
    providers: () => [...new Set(modelsUsed.values())],
    staged: () => [...staged],
    device: deps.device,
    models: {
      async acquire(modelId) {
        const lease = await deps.models.acquire(modelId);
        modelsUsed.set(modelId, lease.session.provider);
        return lease;
      },
      locate: (modelId) => deps.models.locate(modelId),
      memory: () => deps.models.memory(),
    },
    assets: {
      async input(assetId) {
        // A plugin reads only the inputs linked to its own job.
        const link = await db.jobAsset.findFirst({
          where: { jobId: job.id, assetId, role: 'input' },
          include: { asset: true },
        });
        if (!link) throw new Error(`Asset ${assetId} is not an input of job ${job.id}`);
        return inputAssetOf(link.asset, deps.media);
      },
      async writeOutput(output) {
        // Staged in the media store's tmp/; the Asset row and its link come with the job's succeed,
        // so a run that crashes, fails or is superseded leaves no output behind (§9.5).
        const assetId = newAssetId();
        const source = 'data' in output ? { data: output.data } : { path: output.path };
        const result = await deps.media.stage(source, { jobId: job.id, assetId, originalName: output.slot });
        const position = staged.filter((o) => o.slot === output.slot).length;
        staged.push({ ...result, assetId, slot: output.slot, position, kind: output.kind ?? 'output' });
        return assetId;
      },
    },
  };
}
