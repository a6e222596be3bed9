// Job state changes travel over Redis pub/sub: the job repository publishes one event per change
// (repository.ts), every web process relays them to its SSE subscribers. Cancel requests travel the
// other way on their own channel.
import type { Redis } from 'ioredis';
import type { Job } from '../generated/prisma/client.ts';
import type { JobStatus } from '../generated/prisma/enums.ts';

export const jobEventsChannel = (prefix: string) => `${prefix}:jobs:events`;
export const jobCancelChannel = (prefix: string) => `${prefix}:jobs:cancel`;

export interface JobEvent {
  jobId: string;
  ownerId: string;
  organizationId: string | null;
  status: JobStatus;
  progress: number;
  stage: string | null;
  error: string | null;
  /** Increases with every preview the job produced; 0 when it has none. */
  previewVersion: number;
  /** Milliseconds since the epoch of the state this event describes; orders events of one job. */
  version: number;
}

export function jobEventFromRow(
  row: Pick<
    Job,
    | 'id'
    | 'ownerId'
    | 'organizationId'
    | 'status'
    | 'progress'
    | 'stage'
    | 'error'
    | 'previewVersion'
    | 'updatedAt'
  >,
): JobEvent {
  return {
    jobId: row.id,
    ownerId: row.ownerId,
    organizationId: row.organizationId,
    status: row.status,
    progress: row.progress,
    stage: row.stage,
    error: row.error,
    previewVersion: row.previewVersion,
    version: row.updatedAt.getTime(),
  };
}

export async function publishJobEvent(redis: Redis, prefix: string, event: JobEvent): Promise<void> {
  await redis.publish(jobEventsChannel(prefix), JSON.stringify(event));
}

export async function publishCancel(redis: Redis, prefix: string, jobId: string): Promise<void> {
  await redis.publish(jobCancelChannel(prefix), jobId);
}

/** Storage key (in the media store) of a job's latest preview image. */
export const jobPreviewKey = (jobId: string) => `previews/${jobId}.webp`;
