// Short-lived signed tickets that let one browser socket into one live session (docs/live.md §2):
// the web app issues them after checking the user may read the options' assets; the web server's
// forwarder reads the worker from them; the worker verifies them again and spends them once.
import { createHmac, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { LIVE_CLOSE, type LiveSpec } from './protocol.ts';

/** How long a ticket may wait before its socket opens. */
export const LIVE_TICKET_TTL_SECONDS = 30;

export type LiveTicketKind = 'session' | 'watch';

export interface LiveTicket extends LiveSpec {
  /** Spent when its socket opens (replay protection). */
  id: string;
  kind: LiveTicketKind;
  userId: string;
  workerId: string;
  /** Unix seconds. */
  expiresAt: number;
}

const AUDIENCE = 'visage-live';

/** The tickets' HMAC key: derived from the app secret, so a ticket is never a valid auth token. */
function ticketKey(secret: string): Uint8Array {
  return createHmac('sha256', secret).update('visage live tickets v1').digest();
}

export async function signLiveTicket(
  secret: string,
  claims: Omit<LiveTicket, 'id' | 'expiresAt'>,
  ttlSeconds = LIVE_TICKET_TTL_SECONDS,
): Promise<{ token: string; ticket: LiveTicket }> {
  const id = randomUUID();
  const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
  const token = await new SignJWT({
    kind: claims.kind,
    wid: claims.workerId,
    plugin: claims.plugin,
    options: claims.options,
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userId)
    .setJti(id)
    .setAudience(AUDIENCE)
    .setExpirationTime(expiresAt)
    .sign(ticketKey(secret));
  return { token, ticket: { ...claims, id, expiresAt } };
}

/** A refused ticket, with the close code the socket ends with. */
export class LiveTicketError extends Error {
  override name = 'LiveTicketError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export async function verifyLiveTicket(
  secret: string,
  token: string | null | undefined,
): Promise<LiveTicket> {
  if (!token) throw new LiveTicketError(LIVE_CLOSE.ticketMissing, 'No live ticket: ask the app for one');
  try {
    const { payload } = await jwtVerify(token, ticketKey(secret), {
      audience: AUDIENCE,
      algorithms: ['HS256'],
    });
    const { sub, jti, exp, kind, wid, plugin, options } = payload;
    if (
      typeof sub !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number' ||
      (kind !== 'session' && kind !== 'watch') ||
      typeof wid !== 'string' ||
      typeof plugin !== 'string' ||
      typeof options !== 'object' ||
      options === null
    )
      throw new LiveTicketError(LIVE_CLOSE.ticketInvalid, 'The live ticket lacks required claims');
    return {
      id: jti,
      kind,
      userId: sub,
      workerId: wid,
      plugin,
      options: options as Record<string, unknown>,
      expiresAt: exp,
    };
  } catch (error) {
    if (error instanceof LiveTicketError) throw error;
    if (error instanceof errors.JWTExpired)
      throw new LiveTicketError(LIVE_CLOSE.ticketExpired, 'The live ticket has expired: ask for a new one');
    if (error instanceof errors.JOSEError)
      throw new LiveTicketError(LIVE_CLOSE.ticketInvalid, `The live ticket is not valid (${error.code})`);
    throw error;
  }
}
