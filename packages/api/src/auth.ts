// Accounts with better-auth: email + password, sessions in PostgreSQL, admin role, teams
// (organizations) and API keys. See docs/auth.md for the pitfalls handled here.
import { apiKey } from '@better-auth/api-key';
import type { Db } from '@visage/db';
import { betterAuth } from 'better-auth';
import { prismaAdapter } from 'better-auth/adapters/prisma';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import { admin, organization } from 'better-auth/plugins';
import { isSignupOpen } from './settings.ts';

export interface AuthOptions {
  db: Db;
  /** ≥ 32 random characters (BETTER_AUTH_SECRET). */
  secret: string;
  /** The URL users reach the web app at, e.g. http://localhost:3000. */
  baseURL: string;
  trustedOrigins?: string[];
  /**
   * Login rate limiting (3 sign-in attempts per 10 s per IP, stored in PostgreSQL), keyed on the one
   * address the web server leaves in X-Forwarded-For (apps/web/src/server/client-ip.ts).
   */
  rateLimit: boolean;
}

/** Reads an API key from `Authorization: Bearer <key>` or `x-api-key`. */
function apiKeyFromHeaders(headers: Headers | undefined): string | null {
  const bearer = headers?.get('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
  return bearer ?? headers?.get('x-api-key') ?? null;
}

export function createAuth({ db, secret, baseURL, trustedOrigins = [], rateLimit }: AuthOptions) {
  return betterAuth({
    secret,
    baseURL,
    trustedOrigins: [baseURL, ...trustedOrigins],
    telemetry: { enabled: false },
    advanced: {
      // The web server replaces X-Forwarded-For with the real client's address (trusted proxies only).
      ipAddress: { ipAddressHeaders: ['x-forwarded-for'] },
      // Behind https the session cookie is Secure (and __Secure- prefixed); over plain http it cannot be.
      useSecureCookies: new URL(baseURL).protocol === 'https:',
    },
    database: prismaAdapter(db, { provider: 'postgresql', transaction: true }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 256 },
    rateLimit: { enabled: rateLimit, storage: 'database', window: 60, max: 300 },
    hooks: {
      // Sign-up is open for the very first account (it becomes admin), when an admin opened it, or
      // for an address with a pending team invitation. The web route serialises sign-ups with an
      // advisory lock, so two first sign-ups cannot both see an empty user table.
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-up/email') return;
        const email = String((ctx.body as { email?: unknown } | undefined)?.email ?? '').toLowerCase();
        if ((await db.user.count()) === 0 || (await isSignupOpen(db))) return;
        const invited = await db.invitation.count({
          where: { email, status: 'pending', expiresAt: { gt: new Date() } },
        });
        if (invited > 0) return;
        throw new APIError('FORBIDDEN', {
          message: 'Sign-up is closed. Ask an administrator to invite you or to open sign-up.',
        });
      }),
    },
    databaseHooks: {
      user: {
        create: {
          before: async (user) => ({
            data: { ...user, role: (await db.user.count()) === 0 ? 'admin' : 'user' },
          }),
        },
      },
    },
    plugins: [
      admin(),
      organization({ allowUserToCreateOrganization: true, invitationExpiresIn: 7 * 24 * 3600 }),
      apiKey({
        enableSessionForAPIKeys: true,
        customAPIKeyGetter: (ctx) => apiKeyFromHeaders(ctx.headers),
        // The plugin's default allows 10 requests a day per key; scripts poll and stream far more.
        rateLimit: { enabled: false },
        defaultPrefix: 'visage_',
      }),
      nextCookies(),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
