// The worker's retrying job repository (docs/reliability.md §5) against real errors: a database that
// refuses connections (nothing listens on port 1) for the outage, a live test database for the errors
// that must not be retried.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, isDatabaseUnavailable } from '../src/index.ts';
import {
  createJobRepository,
  JobTransitionError,
  retryingJobRepository,
  withDbRetry,
} from '../src/jobs/index.ts';
import { createTestDatabase, type TestDatabase, testRedisPrefix } from '../src/testing.ts';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const fast = { initialDelayMs: 5, maxDelayMs: 20 };

function recordingLog() {
  const lines: { context: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn: (context: Record<string, unknown>, message: string) => lines.push({ context, message }),
  };
}

describe('withDbRetry and retryingJobRepository', () => {
  let database: TestDatabase;
  let db: Db;
  let down: Db;
  let redis: Redis;
  let unavailable: Error;

  beforeAll(async () => {
    database = await createTestDatabase({ label: 'retrying' });
    db = createDb({ url: database.url });
    down = createDb({ url: 'postgresql://postgres@127.0.0.1:1/visage' });
    redis = new Redis(redisUrl);
    unavailable = await down.job.count().then(
      () => new Error('a database on port 1 answered'),
      (error: Error) => error,
    );
  });
  afterAll(async () => {
    await redis.quit();
    await Promise.all([db.$disconnect(), down.$disconnect()]);
    await database.drop();
  });

  /** A job for an owner that does not exist: the live database refuses it (foreign key, P2003). */
  const orphanJob = {
    ownerId: randomUUID(),
    organizationId: null,
    plugin: 'test',
    input: {},
    inputs: [],
  };

  it('should take a refused connection for an outage, and a refused query for none', async () => {
    expect(isDatabaseUnavailable(unavailable)).toBe(true);
    const badQuery = await db.job
      .create({ data: { ownerId: orphanJob.ownerId, plugin: 'test', input: {} } })
      .catch((error: Error) => error);
    expect(badQuery).toMatchObject({ code: 'P2003' });
    expect(isDatabaseUnavailable(badQuery)).toBe(false);
  });

  it('should retry a write while the database is unavailable, waiting longer each time', async () => {
    const log = recordingLog();
    let calls = 0;
    const result = await withDbRetry(
      async () => {
        calls++;
        if (calls <= 3) throw unavailable;
        return 'written';
      },
      { log, ...fast },
      { method: 'jobs.progress', jobId: 'j1' },
    );
    expect(result).toBe('written');
    expect(calls).toBe(4);
    expect(log.lines.map((l) => l.context.delayMs)).toEqual([5, 10, 20]);
    expect(log.lines[0]).toMatchObject({
      message: 'database unavailable; retrying the write',
      context: {
        method: 'jobs.progress',
        jobId: 'j1',
        attempt: 1,
        reason: "Can't reach database server at 127.0.0.1:1",
      },
    });
  });

  it('should give up after the bound and rethrow the last error unchanged', async () => {
    const log = recordingLog();
    const repository = retryingJobRepository(
      createJobRepository({ db: down, redis, redisPrefix: testRedisPrefix() }),
      {
        log,
        attempts: 3,
        ...fast,
      },
    );
    const failure = await repository
      .progress(randomUUID(), { fraction: 0.5, stage: 'half', preview: false })
      .catch((error: Error) => error);
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect((failure as { code?: string }).code).toBe('P1001');
    expect(log.lines.map((l) => [l.context.method, l.context.attempt])).toEqual([
      ['jobs.progress', 1],
      ['jobs.progress', 2],
    ]);
  });

  it('should not retry a JobTransitionError or any other error', async () => {
    const log = recordingLog();
    let calls = 0;
    const refused = new JobTransitionError(randomUUID(), 'succeed', 'failed');
    await expect(
      withDbRetry(
        async () => {
          calls++;
          throw refused;
        },
        { log, ...fast },
      ),
    ).rejects.toBe(refused);
    const repository = retryingJobRepository(
      createJobRepository({ db, redis, redisPrefix: testRedisPrefix() }),
      {
        log,
        ...fast,
      },
    );
    // A write the live database refuses, and a transition refused by the table.
    await expect(repository.create(orphanJob, async () => undefined)).rejects.toMatchObject({
      code: 'P2003',
    });
    const claimed = await repository.claim(randomUUID(), { device: 'cpu' });
    expect(claimed).toMatchObject({ ok: false, refused: { status: null } });
    expect(calls).toBe(1);
    expect(log.lines).toEqual([]);
  });

  it('should wrap every method of the repository, including ones it does not know of', async () => {
    const log = recordingLog();
    let calls = 0;
    const repository = retryingJobRepository(
      {
        addedLater: async (jobId: string) => {
          calls++;
          if (calls === 1) throw unavailable;
          return jobId;
        },
      },
      { log, ...fast },
    );
    await expect(repository.addedLater('j2')).resolves.toBe('j2');
    expect(log.lines.map((l) => l.context)).toMatchObject([{ method: 'jobs.addedLater', jobId: 'j2' }]);
    const real = createJobRepository({ db, redis, redisPrefix: testRedisPrefix() });
    expect(Object.keys(retryingJobRepository(real, { log }))).toEqual(Object.keys(real));
  });
});
