// What the worker fault suites share (docs/reliability.md §1–3): a test database and Redis prefix, a
// media folder, jobs submitted the way the API does (job repository + BullMQ), real worker processes
// (`node --import tsx src/main.ts`, as `npm start` runs them), and an audit of the media store.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db, type Prisma } from '@visage/db';
import { createJobRepository, type JobRepository, pluginQueueJob, pluginQueueName } from '@visage/db/jobs';
import { createAsset, MediaStore } from '@visage/db/media';
import { createTestDatabase, deleteRedisKeys, type TestDatabase, testRedisPrefix } from '@visage/db/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { vi } from 'vitest';

const workerDir = path.resolve(import.meta.dirname, '../..');
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A worker may take ~3 s to start alone and over 60 s on a heavily loaded 2-core machine. */
export const START_TIMEOUT_MS = 90_000;

export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  /** Parsed JSON log lines. */
  logs: Record<string, unknown>[];
  stderr: string[];
  /** Settles once the process has exited and its output has been read. */
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

export interface FaultStack {
  db: Db;
  redis: Redis;
  prefix: string;
  databaseUrl: string;
  mediaDir: string;
  media: MediaStore;
  jobs: JobRepository;
  ownerId: string;
  /** Every worker started, killed ones included (their logs stay readable). */
  workers: WorkerProcess[];
  /** An uploaded input asset, as the upload route makes one. */
  upload(bytes: Uint8Array, name: string): Promise<string>;
  /** Creates and enqueues a job the way `jobs.create` does; `inputs` are its input links. */
  submit(plugin: string, input: Prisma.InputJsonObject, inputs?: Record<string, string>): Promise<string>;
  startWorker(id: string, env?: Record<string, string>): WorkerProcess;
  stop(): Promise<void>;
}

/** `mediaDir`: a folder the caller owns (and removes), e.g. a small tmpfs; default: a new temp folder. */
export async function startFaultStack(
  label: string,
  workerEnv: Record<string, string>,
  { mediaDir: givenMediaDir }: { mediaDir?: string } = {},
): Promise<FaultStack> {
  const database: TestDatabase = await createTestDatabase({ label });
  const db = createDb({ url: database.url, applicationName: `visage-${label}-test` });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = testRedisPrefix();
  const mediaDir = givenMediaDir ?? (await mkdtemp(path.join(os.tmpdir(), `visage-${label}-media-`)));
  const media = new MediaStore(mediaDir);
  const jobs = createJobRepository({ db, redis, redisPrefix: prefix });
  const queues = new Map<string, Queue>();
  const queueOf = (plugin: string) => {
    const queue = queues.get(plugin) ?? new Queue(pluginQueueName(plugin), { connection: redis, prefix });
    queues.set(plugin, queue);
    return queue;
  };
  const ownerId = (await db.user.create({ data: { id: 'owner', name: 'Ada', email: 'ada@example.com' } })).id;
  const workers: WorkerProcess[] = [];

  return {
    db,
    redis,
    prefix,
    databaseUrl: database.url,
    mediaDir,
    media,
    jobs,
    ownerId,
    workers,
    async upload(bytes, name) {
      const stored = await media.ingest(bytesOf(bytes), { originalName: name });
      return (await createAsset(db, stored, { ownerId, kind: 'upload', originalName: name, store: media }))
        .id;
    },
    async submit(plugin, input, inputs = {}) {
      const row = await jobs.create(
        {
          ownerId,
          organizationId: null,
          plugin,
          input,
          inputs: Object.entries(inputs).map(([slot, assetId]) => ({ assetId, slot, position: 0 })),
        },
        async (job) => {
          const { name, data, opts } = pluginQueueJob(plugin, job.id);
          await queueOf(plugin).add(name, data, opts);
        },
      );
      return row.id;
    },
    startWorker(id, env = {}) {
      const worker = spawnWorker(id, {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: prefix,
        VISAGE_MEDIA_DIR: mediaDir,
        VISAGE_LIVE_SLOTS: '0',
        VISAGE_DEVICE: 'cpu',
        ...workerEnv,
        ...env,
      });
      workers.push(worker);
      return worker;
    },
    async stop() {
      for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.exit));
      await Promise.all([...queues.values()].map((q) => q.close()));
      await deleteRedisKeys(redis, prefix);
      await redis.quit();
      await db.$disconnect();
      await database.drop();
      if (!givenMediaDir) await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

async function* bytesOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function spawnWorker(id: string, env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: workerDir,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', VISAGE_WORKER_ID: id, ...env },
  });
  const worker: WorkerProcess = {
    id,
    child,
    logs: [],
    stderr: [],
    exit: once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>,
  };
  // A chunk can end mid-line: keep the unfinished part for the next one.
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) worker.logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => worker.stderr.push(chunk.toString()));
  return worker;
}

/** The first line logged with `msg` (and matching `where`); fails with the logs once the worker ended without it. */
export async function waitForLog(
  worker: WorkerProcess,
  msg: string,
  {
    where = () => true,
    timeoutMs = START_TIMEOUT_MS,
  }: { where?: (line: Record<string, unknown>) => boolean; timeoutMs?: number } = {},
): Promise<Record<string, unknown>> {
  return vi.waitFor(
    () => {
      const line = worker.logs.find((l) => l.msg === msg && where(l));
      if (line) return line;
      const state = worker.child.exitCode === null ? 'has not logged' : 'ended without logging';
      const logs = worker.logs.map((l) => JSON.stringify(l)).join('\n');
      throw new Error(`worker ${worker.id} ${state} "${msg}":\n${logs}\n${worker.stderr.join('')}`);
    },
    { timeout: timeoutMs, interval: 50 },
  );
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Files under `dir`, relative to it with "/" separators. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    },
  );
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

/**
 * What is wrong between the media store and the Asset rows: stored files (content and thumbnails)
 * that no row references, rows whose file is missing or whose bytes do not match their sha256 and
 * size, output rows linked to no job, and staged outputs left in tmp/. Empty when all is well.
 */
export async function auditMediaStore(db: Db, media: MediaStore): Promise<string[]> {
  const problems: string[] = [];
  const assets = await db.asset.findMany({ include: { jobs: true } });
  const keys = new Set(assets.flatMap((a) => [a.storageKey, ...(a.thumbnailKey ? [a.thumbnailKey] : [])]));
  // Job previews are the job's own (previews/<jobId>.webp), not assets.
  const stored = (await filesUnder(media.root)).filter(
    (f) => !f.startsWith('tmp/') && !f.startsWith('previews/'),
  );
  for (const file of stored) if (!keys.has(file)) problems.push(`orphan file ${file}`);
  for (const asset of assets) {
    const file = media.absolutePath(asset.storageKey);
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!info) {
      problems.push(`asset ${asset.id} (${asset.kind}): file ${asset.storageKey} is missing`);
      continue;
    }
    if (BigInt(info.size) !== asset.bytes || (await sha256File(file)) !== asset.sha256)
      problems.push(`asset ${asset.id}: ${asset.storageKey} does not hold the row's bytes (half-written?)`);
    if (asset.thumbnailKey && !(await media.has(asset.thumbnailKey)))
      problems.push(`asset ${asset.id}: thumbnail ${asset.thumbnailKey} is missing`);
    if (asset.kind !== 'upload' && !asset.jobs.some((link) => link.role === 'output'))
      problems.push(`output asset ${asset.id} is linked to no job`);
  }
  const staged = (await filesUnder(path.join(media.root, 'tmp'))).filter((f) => f.startsWith('job-'));
  for (const file of staged) problems.push(`staged output left in tmp/: ${file}`);
  return problems;
}
