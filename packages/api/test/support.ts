// Real API services over a throw-away database and Redis prefix, for router and auth tests.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, deleteRedisKeys, testRedisPrefix } from '@visage/db/testing';
import { loadCaller } from '../src/access.ts';
import { createContextInner } from '../src/context.ts';
import { createCaller } from '../src/root.ts';
import { type ApiConfig, createApiServices } from '../src/services.ts';
import { withSignupLock } from '../src/signup-lock.ts';

export const BASE_URL = 'http://localhost:3000';

export async function createTestApi(extra: Partial<ApiConfig> = {}) {
  const database = await createTestDatabase({ label: 'api' });
  const mediaDir = await mkdtemp(path.join(os.tmpdir(), 'visage-api-media-'));
  const prefix = testRedisPrefix();
  const services = await createApiServices({
    databaseUrl: database.url,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: prefix,
    authSecret: 'test-secret-0123456789-0123456789-0123456789',
    baseURL: BASE_URL,
    rateLimit: false,
    mediaDir,
    plugins: ['test'],
    connectionName: 'visage-api-test',
    onError: (error) => {
      throw error;
    },
    ...extra,
  });

  /** Signs up over better-auth's HTTP handler, through the same lock the web route uses. */
  async function signUp(email: string) {
    const request = new Request(`${BASE_URL}/api/auth/sign-up/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'correct horse battery', name: email.split('@')[0] }),
    });
    const response = await withSignupLock(services.db, () => services.auth.handler(request));
    return {
      status: response.status,
      body: (await response.json()) as { user?: { id: string; role: string } },
    };
  }

  /** A tRPC caller acting as `userId`, as if signed in. */
  async function callerFor(userId: string) {
    const user = await services.db.user.findUniqueOrThrow({ where: { id: userId } });
    return createCaller(createContextInner(services, await loadCaller(services.db, user)));
  }

  return {
    services,
    prefix,
    signUp,
    callerFor,
    async close() {
      await deleteRedisKeys(services.redis, prefix);
      await services.close();
      await database.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}

export const sha256base64url = (text: string) => createHash('sha256').update(text).digest('base64url');
