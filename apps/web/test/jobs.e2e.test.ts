// The whole platform path with real processes: Next (web + tRPC + uploads + media), the worker,
// PostgreSQL and Redis. Accounts, API keys, the typed client, a job from upload to downloaded
// result, progress over SSE, cancel, crash recovery, and one user's privacy from another.
import { execFile } from 'node:child_process';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createVisageClient, type VisageClient } from '@visage/api/client';
import { writeVideo } from '@visage/db/media/testing';
import { modelCatalog } from '@visage/plugins/catalog';
import { LP_FIXTURE_SPECS, writeFixtureModels } from '@visage/plugins/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, authPost, signUp, trpcWith } from './support/http.ts';
import {
  type NextServer,
  startNext,
  startWorkerProcess,
  stopNext,
  type WorkerProcess,
  waitForLog,
  waitUntilReady,
  webDir,
} from './support/processes.ts';
import { createTestEnv, killWorker, type TestEnv } from './support/stack.ts';

const execFileAsync = promisify(execFile);

type Trpc = ReturnType<typeof trpcWith>;
type JobUpdate = { status: string; progress: number; stage: string | null; previewUrl: string | null };

let testEnv: TestEnv;
let mediaDir: string;
let server: NextServer;
let worker: WorkerProcess;
let env: Record<string, string>;

function launchWorker(extra: Record<string, string> = {}) {
  return startWorkerProcess({
    ...env,
    VISAGE_JOB_LOCK_MS: '3000', // a killed worker's job is taken over within seconds
    VISAGE_STALLED_INTERVAL_MS: '1000',
    VISAGE_SHUTDOWN_TIMEOUT_MS: '4000',
    ...extra,
  });
}

/** Collects a job's SSE updates until it ends (or `until` says stop). */
async function watch(trpc: Trpc, id: string, until?: (u: JobUpdate) => boolean): Promise<JobUpdate[]> {
  const updates: JobUpdate[] = [];
  await new Promise<void>((resolve, reject) => {
    const subscription = trpc.jobs.onUpdate.subscribe(
      { id },
      {
        onData: ({ data }) => {
          updates.push(data);
          if (until?.(data)) {
            subscription.unsubscribe();
            resolve();
          }
        },
        onError: reject,
        onComplete: resolve,
      },
    );
  });
  return updates;
}

async function pngFile(name: string, width: number, height: number, noise = false): Promise<string> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = noise ? Math.floor(Math.random() * 256) : (i % 3) * 100;
  const file = path.join(mediaDir, '..', `${path.basename(mediaDir)}-${name}`);
  await writeFile(
    file,
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
  return file;
}

beforeAll(async () => {
  // The test acts as a proxy on loopback: its X-Forwarded-For keeps the guesses in a bucket of their own.
  testEnv = await createTestEnv('e2e', {
    VISAGE_MAX_IMAGE_MB: '1',
    VISAGE_AUTH_RATE_LIMIT: '1',
    VISAGE_TRUSTED_PROXIES: '127.0.0.1',
  });
  ({ env, mediaDir } = testEnv);
  server = await startNext(env);
  await waitUntilReady(server);
  worker = launchWorker();
  await waitForLog(worker, 'worker ready');
}, 180_000);

afterAll(async () => {
  await killWorker(worker);
  await stopNext(server);
  await testEnv?.drop();
});

describe('accounts', () => {
  let admin: Account;

  it('should make the first account admin and then close sign-up', async () => {
    admin = await signUp(server.base, 'ada@example.com');
    expect(admin.role).toBe('admin');
    const second = await authPost(server.base, '/sign-up/email', {
      email: 'eve@example.com',
      password: 'long enough password',
      name: 'eve',
    });
    expect(second.status).toBe(403);
    expect(second.body.message).toMatch(/^Sign-up is closed/);
  });

  it('should sign in with the right password only, and rate-limit guessing', async () => {
    const ok = await authPost(server.base, '/sign-in/email', {
      email: admin.email,
      password: admin.password,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/better-auth\.session_token=.*HttpOnly.*SameSite=Lax/i);
    const guesses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const wrong = await authPost(
        server.base,
        '/sign-in/email',
        { email: admin.email, password: `guess ${i}` },
        { 'x-forwarded-for': '203.0.113.7' },
      );
      guesses.push(wrong.status);
    }
    expect(guesses.slice(0, 2)).toEqual([401, 401]);
    expect(guesses.at(-1)).toBe(429);
  });

  it('should create, use, list and revoke an API key; a revoked key is refused', async () => {
    const session = trpcWith(server.base, { cookie: admin.cookie });
    const created = await session.apiKeys.create.mutate({ name: 'script' });
    expect(created.key).toMatch(/^visage_/);
    const client = createVisageClient({ url: server.base, apiKey: created.key });
    const status = await client.trpc.system.status.query();
    expect(status.plugins).toContain('test');
    expect(status.workers.length).toBeGreaterThanOrEqual(1);
    const listed = await session.apiKeys.list.query();
    expect(listed.map((k) => k.id)).toContain(created.id);
    expect(JSON.stringify(listed)).not.toContain(created.key); // only the hash is stored
    await session.apiKeys.revoke.mutate({ id: created.id });
    await expect(client.trpc.system.status.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    await expect(client.upload(await pngFile('k.png', 8, 8))).rejects.toThrow(/401/);
  });

  it('should refuse a cookie-carrying tRPC POST from another site', async () => {
    const response = await fetch(`${server.base}/api/trpc/apiKeys.create`, {
      method: 'POST',
      headers: { cookie: admin.cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ json: { name: 'stolen' } }),
    });
    expect(response.status).toBe(403);
  });
});

describe('a job from upload to result', () => {
  let owner: Account;
  let client: VisageClient;
  let imageId: string;

  beforeAll(async () => {
    owner = { ...(await signInAs('ada@example.com')) };
    const key = await trpcWith(server.base, { cookie: owner.cookie }).apiKeys.create.mutate({ name: 'e2e' });
    client = createVisageClient({ url: server.base, apiKey: key.key });
  });

  async function signInAs(email: string): Promise<Account> {
    const result = await authPost(server.base, '/sign-in/email', {
      email,
      password: 'correct horse battery',
    });
    const user = result.body.user as { id: string; role: string | null };
    return {
      email,
      password: 'correct horse battery',
      cookie: (result.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
      userId: user.id,
      role: user.role,
    };
  }

  it('should upload an image, run the test plugin with live progress, and return the mirrored image', async () => {
    const uploaded = await client.upload(await pngFile('in.png', 64, 32));
    imageId = uploaded.id;
    expect(uploaded).toMatchObject({ mime: 'image/png', width: 64, height: 32 });

    const job = await client.trpc.jobs.create.mutate({
      plugin: 'test',
      input: { image: imageId, steps: 6, stepMs: 250 },
    });
    const updates = await watch(client.trpc, job.id);
    const statuses = [...new Set(updates.map((u) => u.status))];
    expect(statuses.at(-1)).toBe('succeeded');
    expect(statuses).toContain('running');
    const running = updates.filter((u) => u.status === 'running').map((u) => u.progress);
    expect(running.length).toBeGreaterThanOrEqual(3); // progress arrived while it ran, not only at the end
    expect(running).toEqual([...running].sort((a, b) => a - b));
    expect(updates.at(-1)?.progress).toBe(1);
    const previewUrl = updates.find((u) => u.previewUrl)?.previewUrl;
    expect(previewUrl).toMatch(new RegExp(`^/api/jobs/${job.id}/preview\\?v=\\d+$`));

    const detail = await client.trpc.jobs.get.query({ id: job.id });
    expect(detail).toMatchObject({ status: 'succeeded', device: expect.stringMatching(/cpu|cuda|mps/) });
    expect(detail.timings).toMatchObject({ runMs: expect.any(Number) });
    const output = detail.assets.find((a) => a.role === 'output');
    expect(output?.asset.mime).toBe('image/png');
    const { data } = await client.download(output?.asset.id ?? '');
    const original = await sharp(Buffer.from((await client.download(imageId)).data))
      .raw()
      .toBuffer();
    const mirrored = await sharp(Buffer.from(data)).raw().toBuffer();
    expect(mirrored.subarray(0, 3)).toEqual(original.subarray((64 - 1) * 3, 64 * 3)); // first pixel = last of row 0
  }, 60_000);

  it('should run the example script: upload, submit, follow progress, download', async () => {
    const key = await trpcWith(server.base, { cookie: owner.cookie }).apiKeys.create.mutate({
      name: 'example',
    });
    const out = `${mediaDir}-example-result.png`;
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        '--import',
        'tsx',
        'examples/submit-and-wait.ts',
        await pngFile('example.png', 20, 10),
        '--input',
        '{"steps":3,"stepMs":100}',
        '--out',
        out,
      ],
      {
        cwd: path.join(webDir, '../../scripts'),
        env: { ...process.env, VISAGE_URL: server.base, VISAGE_API_KEY: key.key },
      },
    );
    expect(stdout).toMatch(/^uploaded .* as asset [0-9a-f-]{36} \(image\/png, \d+ bytes\)$/m);
    expect(stdout).toMatch(/^succeeded 100% {2}done$/m);
    expect(stdout).toContain(`to ${out}`);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'png', width: 20, height: 10 });
    await rm(out);
  }, 60_000);

  it('should list the result in the gallery, star it, and delete it', async () => {
    const gallery = await client.trpc.assets.list.query({ kind: 'output' });
    const item = gallery.items[0];
    expect(item?.thumbnailUrl).toMatch(/variant=thumbnail$/);
    await client.trpc.assets.star.mutate({ id: item?.id ?? '', starred: true });
    expect((await client.trpc.assets.list.query({ starred: true })).items.map((a) => a.id)).toEqual([
      item?.id,
    ]);
    await client.trpc.assets.delete.mutate({ id: item?.id ?? '' });
    await expect(client.trpc.assets.get.query({ id: item?.id ?? '' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });

  it('should cancel a running job within 2 s, and a queued one at once', async () => {
    const running = await client.trpc.jobs.create.mutate({
      plugin: 'test',
      input: { steps: 200, stepMs: 100 },
    });
    const queued = await client.trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 2, stepMs: 10 } });
    await watch(client.trpc, running.id, (u) => u.status === 'running' && u.progress > 0);
    expect((await client.trpc.jobs.cancel.mutate({ id: queued.id })).status).toBe('cancelled');
    const asked = Date.now();
    await client.trpc.jobs.cancel.mutate({ id: running.id });
    const updates = await watch(client.trpc, running.id);
    expect(updates.at(-1)?.status).toBe('cancelled');
    expect(Date.now() - asked).toBeLessThan(2_000);
    expect((await client.trpc.jobs.get.query({ id: queued.id })).status).toBe('cancelled');
  }, 30_000);

  it('should record a failing plugin as failed with its message, and retry it as a new job', async () => {
    const job = await client.trpc.jobs.create.mutate({
      plugin: 'test',
      input: { steps: 3, stepMs: 10, failAtStep: 2 },
    });
    const updates = await watch(client.trpc, job.id);
    expect(updates.at(-1)).toMatchObject({ status: 'failed' });
    const detail = await client.trpc.jobs.get.query({ id: job.id });
    expect(detail.error).toBe('Test plugin failed at step 2 as asked');
    expect(detail.errorStack).toContain('runTestPlugin');
    const retried = await client.trpc.jobs.retry.mutate({ id: job.id });
    expect(retried.id).not.toBe(job.id);
    expect((await client.trpc.jobs.get.query({ id: retried.id })).input).toEqual(detail.input);
  }, 30_000);

  it('should refuse a job whose model is not installed, saying how to get it', async () => {
    const job = await client.trpc.jobs.create.mutate({
      plugin: 'test',
      input: { steps: 1, stepMs: 0, model: 'inswapper_128' },
    });
    expect((await watch(client.trpc, job.id)).at(-1)?.status).toBe('failed');
    expect((await client.trpc.jobs.get.query({ id: job.id })).error).toContain(
      'Model "inswapper_128" is not installed. Get it with: pnpm visage models pull inswapper_128',
    );
  }, 30_000);

  it('should run a job through an installed model and record the provider it ran on', async () => {
    // A fixture with the real stitching module's I/O, put where the worker's store keeps the model,
    // <models dir>/<id>/<file> (importing it would fail: the catalog holds the real file's sha256).
    const entry = modelCatalog().find((m) => m.id === 'liveportrait_stitching');
    const dir = path.join(`${mediaDir}-models`, 'liveportrait_stitching');
    await mkdir(dir, { recursive: true });
    const { liveportrait_stitching: written } = await writeFixtureModels(dir, {
      liveportrait_stitching: LP_FIXTURE_SPECS.liveportrait_stitching,
    });
    if (!entry || !written) throw new Error('liveportrait_stitching: no catalog entry or fixture');
    await rename(written, path.join(dir, entry.file));
    const job = await client.trpc.jobs.create.mutate({
      plugin: 'test',
      input: { steps: 1, stepMs: 0, model: 'liveportrait_stitching' },
    });
    expect((await watch(client.trpc, job.id)).at(-1)?.status).toBe('succeeded');
    const detail = await client.trpc.jobs.get.query({ id: job.id });
    expect(detail.provider).toBe('cpu');
    expect(detail.metadata).toMatchObject({
      model: { id: 'liveportrait_stitching', provider: 'cpu', inputs: ['input'] },
      models: { liveportrait_stitching: 'cpu' },
    });
    // The worker's heartbeat (every 10 s) reports the model as loaded, within its memory budget.
    await expect
      .poll(
        async () => (await client.trpc.system.status.query()).workers[0]?.models?.resident.map((m) => m.id),
        {
          timeout: 15_000,
          interval: 500,
        },
      )
      .toContain('liveportrait_stitching');
    const [worker] = (await client.trpc.system.status.query()).workers;
    expect(worker?.models).toMatchObject({ providers: ['cpu'], precision: 'fp32', misses: 1 });
    expect(worker?.models?.residentBytes).toBeLessThanOrEqual(worker?.models?.budgetBytes ?? 0);
  }, 40_000);

  it('should take over the job of a SIGKILLed worker once it restarts', async () => {
    const job = await client.trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 8, stepMs: 250 } });
    await watch(client.trpc, job.id, (u) => u.status === 'running' && u.progress > 0);
    worker.child.kill('SIGKILL');
    await worker.exit;
    worker = launchWorker();
    await waitForLog(worker, 'worker ready');
    const updates = await watch(client.trpc, job.id);
    expect(updates.at(-1)?.status).toBe('succeeded');
    const detail = await client.trpc.jobs.get.query({ id: job.id });
    expect(detail.attempts).toBe(2);
  }, 60_000);

  it('should re-queue the running job on SIGTERM, exit 0, and let the next worker finish it', async () => {
    const job = await client.trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 40, stepMs: 200 } });
    await watch(client.trpc, job.id, (u) => u.status === 'running' && u.progress > 0);
    worker.child.kill('SIGTERM');
    const [code] = await worker.exit;
    expect(code).toBe(0);
    expect((await client.trpc.jobs.get.query({ id: job.id })).status).toBe('queued');
    worker = launchWorker();
    await waitForLog(worker, 'worker ready');
    const updates = await watch(client.trpc, job.id);
    expect(updates.at(-1)?.status).toBe('succeeded');
  }, 60_000);
});

describe("one user's privacy from another", () => {
  let alice: VisageClient;
  let bob: Trpc;
  let bobHeaders: Record<string, string>;
  let aliceJob: string;
  let aliceAsset: string;

  beforeAll(async () => {
    const adminCookie = (
      await authPost(server.base, '/sign-in/email', {
        email: 'ada@example.com',
        password: 'correct horse battery',
      })
    ).headers
      .get('set-cookie')
      ?.split(';')[0];
    const admin = trpcWith(server.base, { cookie: adminCookie ?? '' });
    alice = createVisageClient({
      url: server.base,
      apiKey: (await admin.apiKeys.create.mutate({ name: 'alice' })).key,
    });
    aliceAsset = (await alice.upload(await pngFile('private.png', 16, 16))).id;
    aliceJob = (
      await alice.trpc.jobs.create.mutate({
        plugin: 'test',
        input: { image: aliceAsset, steps: 2, stepMs: 10 },
      })
    ).id;
    await watch(alice.trpc, aliceJob);
    // An admin opens sign-up; Bob joins.
    await admin.system.setSignupOpen.mutate({ open: true });
    const bobAccount = await signUp(server.base, 'bob@example.com');
    expect(bobAccount.role).toBe('user');
    bobHeaders = { cookie: bobAccount.cookie };
    bob = trpcWith(server.base, bobHeaders);
  }, 60_000);

  const notFound = { data: { code: 'NOT_FOUND' } };

  it("should not let Bob read, stream, cancel, retry or delete Alice's job", async () => {
    await expect(bob.jobs.get.query({ id: aliceJob })).rejects.toMatchObject(notFound);
    await expect(bob.jobs.cancel.mutate({ id: aliceJob })).rejects.toMatchObject(notFound);
    await expect(bob.jobs.retry.mutate({ id: aliceJob })).rejects.toMatchObject(notFound);
    await expect(bob.jobs.delete.mutate({ id: aliceJob })).rejects.toMatchObject(notFound);
    await expect(watch(bob, aliceJob)).rejects.toMatchObject(notFound);
    expect((await bob.jobs.list.query({})).items).toEqual([]);
    const preview = await fetch(`${server.base}/api/jobs/${aliceJob}/preview`, { headers: bobHeaders });
    expect(preview.status).toBe(404);
    expect((await alice.trpc.jobs.get.query({ id: aliceJob })).status).toBe('succeeded'); // untouched
  });

  it("should not let Bob read, download, star, share, delete or use Alice's asset", async () => {
    await expect(bob.assets.get.query({ id: aliceAsset })).rejects.toMatchObject(notFound);
    await expect(bob.assets.star.mutate({ id: aliceAsset, starred: true })).rejects.toMatchObject(notFound);
    await expect(bob.assets.share.mutate({ id: aliceAsset, organizationId: null })).rejects.toMatchObject(
      notFound,
    );
    await expect(bob.assets.delete.mutate({ id: aliceAsset })).rejects.toMatchObject(notFound);
    await expect(
      bob.jobs.create.mutate({ plugin: 'test', input: { image: aliceAsset, steps: 1, stepMs: 0 } }),
    ).rejects.toMatchObject(notFound);
    expect((await bob.assets.list.query({})).items).toEqual([]);
    for (const url of [`/api/media/${aliceAsset}`, `/api/media/${aliceAsset}?variant=thumbnail`]) {
      const response = await fetch(`${server.base}${url}`, {
        headers: { ...bobHeaders, range: 'bytes=0-10' },
      });
      expect(response.status, url).toBe(404);
    }
    expect((await fetch(`${server.base}/api/media/${aliceAsset}`)).status).toBe(401); // nobody signed in
    expect((await alice.download(aliceAsset)).data.length).toBeGreaterThan(0);
  });

  it('should let Bob see what Alice shares with a team they are both in', async () => {
    const team = await alice.trpc.team.create.mutate({ name: 'Studio' });
    await alice.trpc.team.addMember.mutate({ organizationId: team.id, email: 'bob@example.com' });
    await alice.trpc.assets.share.mutate({ id: aliceAsset, organizationId: team.id });
    expect((await bob.assets.get.query({ id: aliceAsset })).id).toBe(aliceAsset);
    const response = await fetch(`${server.base}/api/media/${aliceAsset}`, { headers: bobHeaders });
    expect(response.status).toBe(200);
    // Seeing is not owning: Bob still cannot delete it.
    await expect(bob.assets.delete.mutate({ id: aliceAsset })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
    });
  });
});

describe('bad input', () => {
  let client: VisageClient;

  beforeAll(async () => {
    const cookie = (
      await authPost(server.base, '/sign-in/email', {
        email: 'bob@example.com',
        password: 'correct horse battery',
      })
    ).headers
      .get('set-cookie')
      ?.split(';')[0];
    const key = await trpcWith(server.base, { cookie: cookie ?? '' }).apiKeys.create.mutate({
      name: 'bad-input',
    });
    client = createVisageClient({ url: server.base, apiKey: key.key });
  });

  async function upload(name: string, data: Uint8Array) {
    const file = path.join(mediaDir, '..', `${path.basename(mediaDir)}-${name}`);
    await writeFile(file, data);
    return client.upload(file);
  }

  it('should name the invalid field of a plugin input', async () => {
    await expect(
      client.trpc.jobs.create.mutate({ plugin: 'test', input: { steps: 0 } }),
    ).rejects.toMatchObject({
      message: expect.stringContaining('Invalid test input — steps:'),
      data: { code: 'BAD_REQUEST' },
    });
    await expect(client.trpc.jobs.create.mutate({ plugin: 'nope', input: {} })).rejects.toThrow(
      /Unknown plugin "nope"/,
    );
  });

  it('should refuse a truncated PNG, a text file named .mp4 and an oversized image, each with its reason', async () => {
    const png = await sharp(Buffer.alloc(64 * 64 * 3, 90), { raw: { width: 64, height: 64, channels: 3 } })
      .png()
      .toBuffer();
    await expect(upload('cut.png', png.subarray(0, Math.floor(png.length / 2)))).rejects.toThrow(
      /422.*corrupt or truncated/,
    );
    await expect(
      upload('notes.mp4', new TextEncoder().encode('just some notes\n'.repeat(400))),
    ).rejects.toThrow(/415.*not an image or video/);
    await expect(client.upload(await pngFile('big.png', 1024, 1024, true))).rejects.toThrow(
      /413.*at most 1 MB/,
    );
    expect((await client.trpc.assets.list.query({ scope: 'mine' })).items).toEqual([]); // nothing half-stored
  });

  it('should take a video: probed, with a poster frame, served in ranges for scrubbing', async () => {
    const file = `${mediaDir}-clip.mp4`;
    await writeVideo(file, { container: 'mp4', seconds: 2, width: 160, height: 120, fps: 25, audio: true });
    const video = await client.upload(file);
    expect(video).toMatchObject({ mime: 'video/mp4', width: 160, height: 120 });
    expect(video.durationMs).toBeGreaterThan(1900);
    const detail = await client.trpc.assets.get.query({ id: video.id });
    expect(detail).toMatchObject({ codec: 'h264', hasAudio: true, fps: 25 });
    const auth = {
      authorization: `Bearer ${(await client.trpc.apiKeys.create.mutate({ name: 'video' })).key}`,
    };
    const poster = await fetch(`${server.base}${detail.thumbnailUrl}`, { headers: auth });
    expect(poster.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(Buffer.from(await poster.arrayBuffer())).metadata()).toMatchObject({
      format: 'webp',
      width: 160,
    });
    const tail = await fetch(`${server.base}/api/media/${video.id}`, {
      headers: { ...auth, range: 'bytes=-100' },
    });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-type')).toBe('video/mp4');
    expect((await tail.arrayBuffer()).byteLength).toBe(100);
  }, 30_000);

  it('should answer a Range past the end with 416 and a valid one with 206', async () => {
    const asset = await client.upload(await pngFile('range.png', 32, 32));
    const auth = {
      authorization: `Bearer ${(await client.trpc.apiKeys.create.mutate({ name: 'range' })).key}`,
    };
    const past = await fetch(`${server.base}/api/media/${asset.id}`, {
      headers: { ...auth, range: `bytes=${asset.bytes + 10}-` },
    });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${asset.bytes}`);
    const part = await fetch(`${server.base}/api/media/${asset.id}`, {
      headers: { ...auth, range: 'bytes=1-3' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1-3/${asset.bytes}`);
    expect(new TextDecoder().decode(await part.arrayBuffer())).toBe('PNG');
  });
});
