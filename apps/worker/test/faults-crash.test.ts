// Worker crashes (docs/reliability.md §1): two real worker processes run a batch of 20 jobs that
// write outputs (the test plugin and face swap with fixture models) while the test SIGKILLs a worker
// five times at seeded random points of its jobs (VISAGE_FAULT_SEED replays a run) and restarts it.
// Every job must end succeeded, or failed with a reason; no output may be duplicated, orphaned or
// half-written, and nothing staged may be left behind.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { imageBytes } from '@visage/db/media/testing';
import { ASTRONAUT, FACESWAP_FIXTURE_SPECS, installFixtureModels } from '@visage/plugins/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  auditMediaStore,
  type FaultStack,
  startFaultStack,
  type WorkerProcess,
  waitForLog,
} from './support/fault-stack.ts';

const JOBS = { test: 14, faceswap: 6 };
const KILLS = 5;
const SEED = Number(process.env.VISAGE_FAULT_SEED ?? 1818);

/** mulberry32: a small seeded generator, so a failing run's kill points can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('worker crashes during a batch of jobs', { timeout: 300_000 }, () => {
  let modelsDir: string;
  let stack: FaultStack;

  beforeAll(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'visage-faults-models-'));
    const { catalogFile } = await installFixtureModels(modelsDir, {
      arcface_w600k_r50: FACESWAP_FIXTURE_SPECS.arcface_w600k_r50,
      inswapper_128: FACESWAP_FIXTURE_SPECS.inswapper_128,
    });
    stack = await startFaultStack('faults-crash', {
      VISAGE_ENABLE_TEST_PLUGIN: '1',
      VISAGE_PLUGINS: 'test,faceswap',
      VISAGE_MODELS_DIR: modelsDir,
      VISAGE_MODEL_CATALOG: catalogFile,
      // A killed worker's jobs are taken over ~5 s later (lock expiry, then the next stall check).
      VISAGE_JOB_LOCK_MS: '4000',
      VISAGE_STALLED_INTERVAL_MS: '1000',
      // Two re-runs after a crash: the five kills may hit one job twice (docs/architecture.md §8.9).
      VISAGE_MAX_STALLED_COUNT: '2',
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('should end every job once, with exactly its outputs and a consistent media store', async () => {
    const random = seeded(SEED);
    const began = Date.now();
    const phases: Record<string, number> = {};
    const phase = (name: string) => {
      phases[name] = Math.round((Date.now() - began) / 100) / 10;
    };
    const { db } = stack;
    const portrait = await stack.upload(await readFile(ASTRONAUT), 'astronaut.png');
    const jobIds: string[] = [];
    for (let i = 0; i < JOBS.test; i++) {
      // Distinct inputs give distinct outputs; every fourth draws the same gradient (one shared file).
      const image =
        i % 4 === 3 ? undefined : await stack.upload(await imageBytes('png', 40 + i, 32), `in-${i}.png`);
      jobIds.push(await stack.submit('test', { image, steps: 4, stepMs: 150 }, image ? { image } : {}));
    }
    for (let i = 0; i < JOBS.faceswap; i++)
      jobIds.push(
        await stack.submit(
          'faceswap',
          { source: [portrait], target: portrait },
          { source: portrait, target: portrait },
        ),
      );

    let generation = 0;
    const slots: WorkerProcess[] = [0, 1].map((slot) => stack.startWorker(`crash-${slot}-${generation++}`));
    await Promise.all(slots.map((w) => waitForLog(w, 'worker ready')));
    phase('ready');

    /** The live worker that last started `jobId` and has not finished it. */
    const runnerOf = (jobId: string) =>
      slots.find(
        (w) =>
          w.child.exitCode === null &&
          w.child.signalCode === null &&
          w.logs.some((l) => l.msg === 'job started' && l.jobId === jobId) &&
          !w.logs.some((l) => l.jobId === jobId && ['job succeeded', 'job failed'].includes(String(l.msg))),
      );
    const kills: { worker: string; jobId: string; progress: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      // A random point of a running job: once its progress passes a random fraction (1: while its
      // outputs are staged and committed).
      const threshold = random() < 0.3 ? 1 : 0.1 + random() * 0.8;
      const draw = random(); // which of the candidates
      const victim = await vi.waitFor(
        async () => {
          const running = await db.job.findMany({ where: { id: { in: jobIds }, status: 'running' } });
          const candidates = slots.flatMap((worker) => {
            const mine = running.filter((job) => runnerOf(job.id) === worker);
            const job = mine.find((j) => j.progress >= threshold);
            // Preferably a worker none of whose jobs was interrupted before: a job that stalls
            // more than VISAGE_MAX_STALLED_COUNT times is failed by BullMQ.
            return job ? [{ worker, job, fresh: mine.every((j) => j.attempts === 1) }] : [];
          });
          const fresh = candidates.filter((c) => c.fresh);
          const pool = fresh.length ? fresh : candidates;
          const pick = pool[Math.floor(draw * pool.length)];
          if (pick) return pick;
          throw new Error(`no job running past ${threshold} on a live worker (kill ${k + 1})`);
        },
        { timeout: 60_000, interval: 20 },
      );
      victim.worker.child.kill('SIGKILL');
      await victim.worker.exit;
      kills.push({ worker: victim.worker.id, jobId: victim.job.id, progress: victim.job.progress });
      const slot = slots.indexOf(victim.worker);
      slots[slot] = stack.startWorker(`crash-${slot}-${generation++}`);
    }

    phase('killed');
    const finished = await vi.waitFor(
      async () => {
        const rows = await db.job.findMany({ where: { id: { in: jobIds } }, include: { assets: true } });
        const open = rows.filter((r) => r.status === 'queued' || r.status === 'running');
        if (open.length)
          throw new Error(
            `${open.length} jobs not finished: ${open.map((r) => `${r.id} ${r.status}`).join(', ')}`,
          );
        return rows;
      },
      { timeout: 90_000, interval: 200 },
    );
    phase('finished');

    const outcomes: Record<string, number> = {};
    for (const job of finished) outcomes[job.status] = (outcomes[job.status] ?? 0) + 1;
    const reruns = finished.reduce((sum, job) => sum + Math.max(0, job.attempts - 1), 0);
    const reasons = [...new Set(finished.flatMap((job) => (job.error ? [job.error] : [])))];
    console.log(
      `faults-crash figures (seed ${SEED}): jobs ${finished.length}, kills ${kills.length}, re-runs ${reruns}, ` +
        `outcomes ${JSON.stringify(outcomes)}, failure reasons ${JSON.stringify(reasons)}, ` +
        `kill points (progress) ${JSON.stringify(kills.map((k) => k.progress))}, phases (s) ${JSON.stringify(phases)}`,
    );

    expect(kills).toHaveLength(KILLS);
    expect(finished).toHaveLength(JOBS.test + JOBS.faceswap);
    for (const job of finished) {
      expect(['succeeded', 'failed'], `job ${job.id}`).toContain(job.status);
      const outputs = job.assets.filter((a) => a.role === 'output');
      if (job.status === 'failed') {
        expect(job.error, `failed job ${job.id} has a reason`).toMatch(/\S/);
        expect(outputs, `failed job ${job.id} has no outputs`).toEqual([]);
      } else {
        expect(
          outputs.map((o) => `${o.slot}/${o.position}`),
          `outputs of ${job.id}`,
        ).toEqual(['result/0']);
      }
      // Recorded as finished at most once over every worker that ever ran it.
      const endings = stack.workers.flatMap((w) =>
        w.logs.filter((l) => l.jobId === job.id && ['job succeeded', 'job failed'].includes(String(l.msg))),
      );
      expect(endings.length, `log lines ending job ${job.id}`).toBeLessThanOrEqual(1);
    }
    const outputRows = await db.asset.count({ where: { kind: 'output' } });
    expect(outputRows).toBe(outcomes.succeeded ?? 0);
    // The last clean-ups (after a failure the stall check recorded) may still be running.
    await expect.poll(() => auditMediaStore(db, stack.media), { timeout: 15_000 }).toEqual([]);
  });
});
