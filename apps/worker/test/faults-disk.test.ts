// A full or read-only media folder (docs/reliability.md §3), during an upload into the media store
// and during a job's output in a real worker process: a typed error that names the problem, no
// partial file in the store or tmp/, the job failed with that reason, and the worker, still up, runs
// the next job once the folder is writable again. As root the folder is a small tmpfs (real ENOSPC
// and EROFS); otherwise chmod stands in for both (support/media-dir.ts says so when it runs).
import { MediaError } from '@visage/db/media';
import { noiseImageBytes } from '@visage/db/media/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  auditMediaStore,
  type FaultStack,
  filesUnder,
  startFaultStack,
  type WorkerProcess,
  waitForLog,
} from './support/fault-stack.ts';
import { type LimitedMediaDir, limitedMediaDir } from './support/media-dir.ts';

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

describe('a full or read-only media folder', { timeout: 120_000 }, () => {
  let media: LimitedMediaDir;
  let stack: FaultStack;
  let worker: WorkerProcess;
  let photo: Buffer;

  beforeAll(async () => {
    media = await limitedMediaDir('faults-disk');
    stack = await startFaultStack(
      'faults-disk',
      { VISAGE_ENABLE_TEST_PLUGIN: '1', VISAGE_PLUGINS: 'test' },
      { mediaDir: media.dir },
    );
    worker = stack.startWorker('disk-1');
    photo = await noiseImageBytes(400, 400); // ~500 KB that do not compress
    await waitForLog(worker, 'worker ready');
  });
  afterAll(async () => {
    await stack?.stop();
    await media?.remove();
  });

  /** Everything in the store but the filler and job previews (written besides outputs, advisory). */
  const storeFiles = async () =>
    (await filesUnder(media.dir)).filter((f) => f !== 'filler.bin' && !f.startsWith('previews/'));
  const ingestError = async (bytes: Uint8Array) => {
    const error = await stack.media.ingest(once(bytes), { originalName: 'photo.png' }).then(
      () => expect.unreachable('the upload should have been refused'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MediaError);
    return error as MediaError;
  };
  /** Runs a test-plugin job on `image` to its end. */
  const runJob = async (image: string) => {
    const id = await stack.submit('test', { image, steps: 2, stepMs: 50 }, { image });
    return vi.waitFor(
      async () => {
        const job = await stack.db.job.findUniqueOrThrow({ where: { id }, include: { assets: true } });
        if (job.status === 'queued' || job.status === 'running')
          throw new Error(`job ${id} is ${job.status}`);
        return job;
      },
      { timeout: 60_000, interval: 100 },
    );
  };

  it('should refuse an upload into a full folder, saying so, and leave no partial file', async () => {
    const before = await storeFiles();
    await media.fill(100 * 1024);
    try {
      const error = await ingestError(photo);
      expect(error.message).toMatch(media.expected.full);
      expect(error.message).toContain('"photo.png"');
      expect(await storeFiles()).toEqual(before);
    } finally {
      await media.free();
    }
    const id = await stack.upload(photo, 'photo.png');
    expect(
      await stack.media.has((await stack.db.asset.findUniqueOrThrow({ where: { id } })).storageKey),
    ).toBe(true);
  });

  it('should refuse an upload into a read-only folder, saying so, and change nothing', async () => {
    const bytes = await noiseImageBytes(64, 64);
    const before = await storeFiles();
    await media.readOnly();
    try {
      const error = await ingestError(bytes);
      expect(error).toMatchObject({ code: 'NOT_WRITABLE', status: 503 });
      expect(error.message).toMatch(media.expected.readOnly);
      expect(await storeFiles()).toEqual(before);
    } finally {
      await media.writable();
    }
    await stack.upload(bytes, 'photo.png');
  });

  for (const fault of ['full', 'readOnly'] as const) {
    it(`should fail a job whose output meets a ${fault === 'full' ? 'full' : 'read-only'} folder with that reason, then run the next`, async () => {
      const input = await stack.upload(photo, 'input.png');
      const assetsBefore = await stack.db.asset.count();
      const filesBefore = await storeFiles();
      if (fault === 'full') await media.fill(100 * 1024);
      else await media.readOnly();
      try {
        const job = await runJob(input);
        expect(job.status).toBe('failed');
        expect(job.error).toMatch(media.expected[fault]);
        expect(job.assets.filter((a) => a.role === 'output')).toEqual([]);
        expect(await stack.db.asset.count()).toBe(assetsBefore);
        expect(await storeFiles()).toEqual(filesBefore); // tmp/ included: nothing staged is left
        expect(worker.child.exitCode).toBeNull(); // still up
      } finally {
        if (fault === 'full') await media.free();
        else await media.writable();
      }
      const next = await runJob(input);
      expect(next.error).toBeNull();
      expect(next.status).toBe('succeeded');
      expect(next.assets.filter((a) => a.role === 'output')).toHaveLength(1);
      expect(await auditMediaStore(stack.db, stack.media)).toEqual([]);
    });
  }
});
