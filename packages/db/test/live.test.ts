// The live protocol's pieces every side shares: the frame header, the signed tickets, the session
// registry in a real Redis (spent tickets, per-user limit, current session) and the worker choice.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerPresence } from '../src/jobs/workers.ts';
import {
  closeSession,
  countSessions,
  currentSession,
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  LIVE_CLOSE,
  LiveProtocolError,
  type LiveSessionInfo,
  LiveTicketError,
  openSession,
  pickLiveWorker,
  signLiveTicket,
  spendTicket,
  verifyLiveTicket,
} from '../src/live/index.ts';
import { deleteRedisKeys, testRedisPrefix } from '../src/testing.ts';

const SECRET = 'unit-test-secret-0123456789-0123456789';

describe('live frames', () => {
  it('should carry the sequence number, capture time and format before the image, little-endian', () => {
    const image = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const frame = encodeFrame({ seq: 0x01020304, captureMs: 1234.5, format: 'webp' }, image);
    expect(frame.length).toBe(FRAME_HEADER_BYTES + image.length);
    // The documented layout (docs/live.md §4): version 1, format 2 = WebP, seq at 4, f64 at 8.
    expect([...frame.subarray(0, 8)]).toEqual([1, 2, 0, 0, 4, 3, 2, 1]);
    expect(new DataView(frame.buffer).getFloat64(8, true)).toBe(1234.5);
    const decoded = decodeFrame(frame);
    expect(decoded.header).toEqual({ seq: 0x01020304, captureMs: 1234.5, format: 'webp' });
    expect([...decoded.image]).toEqual([...image]);
  });

  it('should refuse a frame without an image, of another version or an unknown format', () => {
    const good = encodeFrame({ seq: 1, captureMs: 0, format: 'jpeg' }, Uint8Array.of(1));
    expect(() => decodeFrame(good.subarray(0, FRAME_HEADER_BYTES))).toThrow(LiveProtocolError);
    const version = Uint8Array.from(good);
    version[0] = 2;
    expect(() => decodeFrame(version)).toThrow(/version 2/);
    const format = Uint8Array.from(good);
    format[1] = 9;
    expect(() => decodeFrame(format)).toThrow(/format 9/);
  });
});

describe('live tickets', () => {
  const claims = {
    kind: 'session' as const,
    userId: 'u1',
    workerId: 'w1',
    plugin: 'faceswap',
    options: { source: ['a'] },
  };

  it('should give back the claims it was signed with', async () => {
    const { token, ticket } = await signLiveTicket(SECRET, claims);
    const verified = await verifyLiveTicket(SECRET, token);
    expect(verified).toEqual(ticket);
    expect(verified).toMatchObject(claims);
    expect(verified.expiresAt - Date.now() / 1000).toBeGreaterThan(25);
  });

  const refusal = async (token: string | null, secret = SECRET) =>
    verifyLiveTicket(secret, token).then(
      () => null,
      (error: unknown) => (error instanceof LiveTicketError ? error.code : error),
    );

  it('should refuse a missing, expired, forged or altered ticket with its close code', async () => {
    expect(await refusal(null)).toBe(LIVE_CLOSE.ticketMissing);
    expect(await refusal((await signLiveTicket(SECRET, claims, -1)).token)).toBe(LIVE_CLOSE.ticketExpired);
    expect(await refusal((await signLiveTicket('another-secret-0123456789-0123456789', claims)).token)).toBe(
      LIVE_CLOSE.ticketInvalid,
    );
    // Another worker id in the payload, the signature kept: the signature no longer matches.
    const [header, payload, signature] = (await signLiveTicket(SECRET, claims)).token.split('.');
    const altered = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload as string, 'base64url').toString()), wid: 'w2' }),
    ).toString('base64url');
    expect(await refusal(`${header}.${altered}.${signature}`)).toBe(LIVE_CLOSE.ticketInvalid);
    expect(await refusal('not-a-ticket')).toBe(LIVE_CLOSE.ticketInvalid);
  });
});

describe('live session registry (Redis)', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = testRedisPrefix();
  const session = (id: string, userId = 'u1'): LiveSessionInfo => ({
    id,
    userId,
    workerId: 'w1',
    plugin: 'test',
    startedAt: new Date().toISOString(),
  });

  beforeAll(async () => {
    await redis.ping();
  });
  afterAll(async () => {
    await deleteRedisKeys(redis, prefix);
    await redis.quit();
  });

  it('should spend a ticket once', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 30;
    expect(await spendTicket(redis, prefix, 't1', expiresAt)).toBe(true);
    expect(await spendTicket(redis, prefix, 't1', expiresAt)).toBe(false);
    expect(await spendTicket(redis, prefix, 't2', expiresAt)).toBe(true);
  });

  it("should keep each user within the limit and point at the user's newest session", async () => {
    expect(await openSession(redis, prefix, session('s1'), 2)).toBe(true);
    expect(await openSession(redis, prefix, session('s2'), 2)).toBe(true);
    expect(await openSession(redis, prefix, session('s3'), 2)).toBe(false);
    expect(await openSession(redis, prefix, session('x1', 'u2'), 2)).toBe(true); // another user's own limit
    expect(await countSessions(redis, prefix, 'u1')).toBe(2);
    expect((await currentSession(redis, prefix, 'u1'))?.id).toBe('s2');
    // Closing an older session leaves the current one; closing the current one clears it.
    await closeSession(redis, prefix, session('s1'));
    expect((await currentSession(redis, prefix, 'u1'))?.id).toBe('s2');
    expect(await openSession(redis, prefix, session('s3'), 2)).toBe(true);
    await closeSession(redis, prefix, session('s3'));
    expect(await currentSession(redis, prefix, 'u1')).toBeNull();
    expect(await countSessions(redis, prefix, 'u1')).toBe(1);
  });
});

describe('pickLiveWorker', () => {
  const worker = (id: string, accelerator: string, slots: number, active: number, plugins = ['faceswap']) =>
    ({ id, accelerator, live: { url: `ws://${id}`, slots, active, plugins } }) as WorkerPresence;

  it('should prefer an accelerated worker, then the most free slots, and skip full or other workers', () => {
    const cpuFree = worker('cpu', 'cpu', 4, 0);
    const gpuOne = worker('gpu', 'cuda', 2, 1);
    const gpuTwo = worker('gpu2', 'mps', 3, 1);
    expect(pickLiveWorker([cpuFree, gpuOne, gpuTwo], 'faceswap')?.id).toBe('gpu2');
    expect(pickLiveWorker([cpuFree, gpuOne], 'faceswap')?.id).toBe('gpu');
    expect(pickLiveWorker([cpuFree, worker('full', 'cuda', 2, 2)], 'faceswap')?.id).toBe('cpu');
    expect(pickLiveWorker([cpuFree, gpuTwo], 'liveportrait')).toBeNull();
    expect(pickLiveWorker([{ ...gpuOne, live: undefined }], 'faceswap')).toBeNull();
  });
});
