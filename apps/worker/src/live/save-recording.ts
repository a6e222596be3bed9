// A finished live recording becomes an ordinary gallery asset whose metadata says how it was made.
import { rm } from 'node:fs/promises';
import type { LiveTicket } from '@visage/db/live';
import { createAsset } from '@visage/db/media';
import type { ModelUse } from '@visage/plugins';
import type { LiveRecorder } from './recorder.ts';
import type { SessionDeps } from './session.ts';

export async function saveRecording(
  deps: Pick<SessionDeps, 'db' | 'media' | 'device' | 'workerId'>,
  recorder: LiveRecorder,
  session: {
    ticket: LiveTicket;
    sessionId: string;
    providers: Record<string, string>;
    models: readonly ModelUse[];
  },
): Promise<{ assetId: string; durationMs: number }> {
  const recording = await recorder.finish();
  try {
    const stamp = recorder.startedAt.toISOString().slice(0, 19).replace(/[T:]/g, '-');
    const originalName = `live-${session.ticket.plugin}-${stamp}.mp4`;
    const stored = await deps.media.ingestFile(recording.path, { originalName });
    const asset = await createAsset(deps.db, stored, {
      ownerId: session.ticket.userId,
      kind: 'output',
      originalName,
      store: deps.media,
      metadata: {
        live: {
          plugin: session.ticket.plugin,
          options: session.ticket.options as Record<string, string>,
          sessionId: session.sessionId,
          workerId: deps.workerId,
          device: deps.device.device,
          providers: session.providers,
          models: session.models.map((m) => ({ ...m })),
          startedAt: recorder.startedAt.toISOString(),
          durationMs: recording.durationMs,
          frames: recording.frames,
          codec: recording.codec,
        },
      },
    });
    return { assetId: asset.id, durationMs: recording.durationMs };
  } finally {
    await rm(recording.path, { force: true });
  }
}
