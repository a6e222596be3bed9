// Graceful shutdown under load (docs/reliability.md §2): a worker running several jobs at once gets
// SIGTERM. The job that can finish within the grace period finishes, the others are re-queued before
// VISAGE_SHUTDOWN_TIMEOUT_MS, the process exits 0, and the next worker completes every job.
// (lifecycle.test.ts covers the connections an idle worker closes; jobs.e2e one re-queued job.)
import { INTERRUPTED_STAGE } from '@visage/db/jobs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditMediaStore, type FaultStack, startFaultStack, waitForLog } from './support/fault-stack.ts';

const SHUTDOWN_TIMEOUT_MS = 8_000;

describe('graceful shutdown under load', { timeout: 150_000 }, () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack('faults-shutdown', {
      VISAGE_ENABLE_TEST_PLUGIN: '1',
      VISAGE_PLUGINS: 'test',
      VISAGE_QUEUE_CONCURRENCY: '3',
      VISAGE_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('should finish or re-queue every running job, exit 0 in time, and lose none', async () => {
    const { db } = stack;
    // The worker takes the first three at once: two far longer than the grace period (half the
    // timeout), one that ends within it. The other three wait in the queue.
    const long = { steps: 100, stepMs: 100 };
    const short = { steps: 10, stepMs: 100 };
    const first = [
      await stack.submit('test', long),
      await stack.submit('test', short),
      await stack.submit('test', long),
    ];
    const waiting = [
      await stack.submit('test', short),
      await stack.submit('test', long),
      await stack.submit('test', short),
    ];
    const all = [...first, ...waiting];

    const worker = stack.startWorker('shutdown-1');
    await waitForLog(worker, 'worker ready');
    await vi.waitFor(
      async () => {
        const rows = await db.job.findMany({ where: { id: { in: first } } });
        const started = rows.filter((r) => r.status === 'running' && r.progress > 0 && r.progress < 1);
        if (started.length < 3) throw new Error(`${started.length} of the first three jobs are under way`);
      },
      { timeout: 60_000, interval: 50 },
    );

    const signalled = Date.now();
    worker.child.kill('SIGTERM');
    const [code] = await worker.exit;
    const tookMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);

    const after = new Map((await db.job.findMany({ where: { id: { in: all } } })).map((r) => [r.id, r]));
    const [long1, short1, long2] = first.map((id) => after.get(id));
    expect(short1).toMatchObject({ status: 'succeeded' });
    for (const job of [long1, long2])
      expect(job).toMatchObject({ status: 'queued', stage: INTERRUPTED_STAGE });
    for (const id of waiting) expect(after.get(id)).toMatchObject({ status: 'queued', attempts: 0 });
    const requeued = worker.logs.filter((l) => l.msg === 'job interrupted by shutdown and re-queued');
    expect(requeued.map((l) => l.jobId).sort()).toEqual([long1?.id, long2?.id].sort());

    // The next worker runs the re-queued and the waiting jobs.
    const next = stack.startWorker('shutdown-2');
    const done = await vi.waitFor(
      async () => {
        const rows = await db.job.findMany({ where: { id: { in: all } }, include: { assets: true } });
        const open = rows.filter((r) => r.status !== 'succeeded');
        if (open.length) throw new Error(`not done: ${open.map((r) => `${r.id} ${r.status}`).join(', ')}`);
        return rows;
      },
      { timeout: 90_000, interval: 200 },
    );
    for (const job of done) {
      expect(job.assets.filter((a) => a.role === 'output').map((a) => a.slot)).toEqual(['result']);
      // The interrupted ones ran twice, everything else once.
      expect(job.attempts, `attempts of ${job.id}`).toBe(
        job.id === long1?.id || job.id === long2?.id ? 2 : 1,
      );
    }
    console.log(
      `faults-shutdown figures: SIGTERM → exit 0 in ${tookMs} ms (timeout ${SHUTDOWN_TIMEOUT_MS} ms), ` +
        `1 finished during the grace period, ${requeued.length} re-queued, ${done.length}/${all.length} succeeded after the restart`,
    );
    next.child.kill('SIGTERM');
    expect((await next.exit)[0]).toBe(0);
    expect(await auditMediaStore(db, stack.media)).toEqual([]);
  });
});
